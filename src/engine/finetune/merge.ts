// Merging LoRA adapters into their base weights (PEFT's merge_and_unload): with s = alpha / r,
//   nn.Linear [out, in] (BERT):   W[col + o, i] += s · Σ_k B[o, k] A[k, i]
//   Conv1D    [in, out] (GPT-2):  W[i, col + o] += s · Σ_k B[o, k] A[k, i]     (the same update, transposed)
// summed in float64 and rounded once. The result is a plain classifier (no adapter tensors) that
// loads and predicts like the adapted one without any LoRA code: `npm run finetune -- --merge-lora <run>`.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readSafetensors } from '../io/safetensors';
import { classifierPool, type ClassifierPooling } from '../model/heads/classify';
import { loraNames, loraScale, loraSites } from '../model/lora';
import { buildParamLayout, loadParams, type ParamLayout } from '../model/params';
import { writeJsonAtomic } from '../runstore/atomic';
import { latestCheckpoint, listCheckpoints, writeCheckpoint } from '../runstore/checkpoints';
import { initParams } from '../train/init';
import { CONFIG_FILE, readRunConfig } from '../train/run-folder';
import { copyRunTokenizers } from '../train/run-tokenizers';
import { serializeModel } from '../train/weights-io';

/** The layout of `layout` without its adapters (and nothing frozen): what a merged model is. */
export function plainLayout(layout: ParamLayout): ParamLayout {
  return buildParamLayout(layout.config, { heads: layout.heads });
}

/** The merged weights of an adapted model: `params` in `layout` (with LoRA) → a flat buffer of plainLayout(layout). */
export function mergeLora(layout: ParamLayout, params: Float32Array): { layout: ParamLayout; params: Float32Array } {
  const spec = layout.lora;
  if (!spec) throw new Error('mergeLora: this model has no LoRA adapters to merge');
  if (params.length !== layout.totalFloats) throw new Error(`mergeLora: ${params.length} floats, the layout has ${layout.totalFloats}`);
  const plain = plainLayout(layout);
  const out = new Float32Array(plain.totalFloats);
  for (const slab of plain.slabs) for (const p of slab.parts) out.set(params.subarray(layout.part(p.name).offset, layout.part(p.name).offset + p.numel), p.offset);
  const s = loraScale(spec);
  const r = spec.rank;
  for (const site of loraSites(layout.config, spec)) {
    const n = loraNames(site);
    const A = layout.part(n.a); // [r, in]
    const B = layout.part(n.b); // [out, r]
    const slab = plain.slab(site.weight);
    const cols = slab.shape[1];
    for (let o = 0; o < site.out; o++) {
      for (let i = 0; i < site.in; i++) {
        let acc = 0;
        for (let k = 0; k < r; k++) acc += params[B.offset + o * r + k] * params[A.offset + k * site.in + i];
        const at = site.form === 'out_in' ? (site.col + o) * cols + i : i * cols + site.col + o;
        out[slab.offset + at] = out[slab.offset + at] + s * acc;
      }
    }
  }
  return { layout: plain, params: out };
}

/** The classifier layout a fine-tuned run's config.json describes: its head, and its adapters if it is a LoRA run. */
export function savedClassifierLayout(config: { id2label?: Record<string, string>; classifier_pooling?: ClassifierPooling; pretrain_studio: { model: ParamLayout['config']; finetune?: { lora?: ParamLayout['lora'] } } }): ParamLayout {
  const numLabels = Object.keys(config.id2label ?? {}).length;
  const model = config.pretrain_studio.model;
  // Runs saved before pooling was a choice have no classifier_pooling: they read [CLS].
  const heads = [{ kind: 'classify' as const, numLabels, pool: classifierPool(model.kind, config.classifier_pooling ?? 'cls') }];
  return buildParamLayout(model, { heads, lora: config.pretrain_studio.finetune?.lora });
}

/**
 * Writes `<run>-merged` (or `out`): the run's config without its adapters, its tokenizers (a
 * seq2seq base's target_tokenizer.json too), and one
 * checkpoint (the given or latest step) holding the merged weights.
 */
export function mergeLoraRun(runDir: string, o: { checkpoint?: number; out?: string } = {}): { runDir: string; step: number; merged: number } {
  const dir = resolve(runDir);
  const config = readRunConfig(dir) as unknown as Parameters<typeof savedClassifierLayout>[0] & Record<string, unknown>;
  const ft = config.pretrain_studio.finetune;
  if (!ft) throw new Error(`${dir} is not a fine-tuned classifier (no pretrain_studio.finetune block in config.json)`);
  if (!ft.lora) throw new Error(`${dir} was not fine-tuned with LoRA adapters (--scope lora): nothing to merge`);
  const layout = savedClassifierLayout(config);
  const step = o.checkpoint || latestCheckpoint(dir);
  if (step === undefined || !listCheckpoints(dir).includes(step)) throw new Error(`${dir} has no checkpoint ${step === undefined ? '' : `step-${step}`} (it has: ${listCheckpoints(dir).join(', ') || 'none'})`);
  const path = join(dir, 'checkpoints', `step-${step}`, 'model.safetensors');
  const { flat, initialised } = loadParams(layout, readSafetensors(path).tensors, initParams(layout, 0));
  if (initialised.length) throw new Error(`${path}: lacks ${initialised.slice(0, 3).join(', ')}${initialised.length > 3 ? ' …' : ''}: not the adapted model`);
  const merged = mergeLora(layout, flat);
  const outDir = resolve(o.out || `${dir}-merged`);
  if (existsSync(join(outDir, CONFIG_FILE))) throw new Error(`${outDir} already holds a run: remove it or pass another --out`);
  mkdirSync(outDir, { recursive: true });
  const { lora, ...rest } = ft;
  const studio = config.pretrain_studio as unknown as Record<string, unknown>;
  writeJsonAtomic(join(outDir, CONFIG_FILE), { ...config, pretrain_studio: { ...studio, finetune: { ...rest, mergedLora: { from: dir, step, ...lora } } } });
  copyRunTokenizers(dir, outDir);
  writeCheckpoint(outDir, { model: serializeModel(merged.layout, merged.params), state: { step, optimizerStep: step, data: { mergedFrom: path }, savedAt: new Date().toISOString() } }, 1);
  return { runDir: outDir, step, merged: loraSites(layout.config, ft.lora!).length };
}
