// LoRA fine-tuning (--scope lora): adapter tensors carry PEFT's names and shapes and are the only
// body tensors that train; merging gives base + (alpha/r)·B·A (against a float64 reference, for
// BERT's per-q/k/v slices of the fused [3C, C] weight and GPT-2's [in, out] Conv1D), and on the
// LoRA goldens (random B) the merged model's logits equal the adapted model's; end to end on
// tiny pretrained runs, the base stays bit-identical with no AdamW state, the checkpoint folder
// holds a PEFT adapter file and config, and the merged run predicts what the adapted one does.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { resolveTrainOptions } from '../../../src/engine/config/train-config';
import { mergeLora, mergeLoraRun } from '../../../src/engine/finetune/merge';
import { ADAPTER_CONFIG, ADAPTER_WEIGHTS, peftConfig } from '../../../src/engine/finetune/peft';
import { classifierLayout, evaluateRun, FINETUNE_DEFAULTS, fineTune, loadLabeledData, predictText, type FineTuneOptions } from '../../../src/engine/finetune/run';
import { parseScope } from '../../../src/engine/finetune/scope';
import { GpuContext } from '../../../src/engine/gpu/device';
import { readSafetensors } from '../../../src/engine/io/safetensors';
import { decoderConfig, encoderConfig } from '../../../src/engine/model/config';
import { LORA_DEFAULTS, type LoraSpec, loraSites } from '../../../src/engine/model/lora';
import { allParts, type ParamLayout, trainableRanges } from '../../../src/engine/model/params';
import { latestCheckpoint } from '../../../src/engine/runstore/checkpoints';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { Tensor } from '../../../src/engine/gpu/tensor';
import type { ModelGraph } from '../../../src/engine/model/body';
import { TrainingRun } from '../../../src/engine/train/index';
import { buildGraph } from '../../../src/engine/train/step';
import { batchOf, loadGolden, relativeError } from '../model/goldens';
import { removeTempRunsDirs, SAMPLE_EN, tempRunsDir } from '../../integration/helpers';

const bert = encoderConfig({ nLayer: 2, nEmbd: 16, nHead: 2, vocabSize: 41, blockSize: 11, dropout: 0, pooler: true });
const gpt = decoderConfig({ nLayer: 2, nEmbd: 16, nHead: 2, vocabSize: 37, blockSize: 11 });
const lora = (over: Partial<LoraSpec> = {}) => parseScope('lora', { ...LORA_DEFAULTS, rank: 4, alpha: 8, ...over });

test('adapters carry PEFT\'s names and shapes; under --scope lora they and the head are all that trains', () => {
  const layout = classifierLayout(bert, 3, lora());
  const adapters = allParts(layout).filter((p) => p.name.includes('.lora_'));
  expect(adapters.map((p) => [p.name, p.shape])).toEqual([0, 1].flatMap((l) => [
    ...['query', 'key', 'value'].flatMap((m) => [
      [`bert.encoder.layer.${l}.attention.self.${m}.lora_A.weight`, [4, 16]],
      [`bert.encoder.layer.${l}.attention.self.${m}.lora_B.weight`, [16, 4]],
    ]),
    [`bert.encoder.layer.${l}.attention.output.dense.lora_A.weight`, [4, 16]],
    [`bert.encoder.layer.${l}.attention.output.dense.lora_B.weight`, [16, 4]],
  ]));
  const trains = layout.slabs.filter((s) => !layout.frozen.has(s.key)).map((s) => s.key);
  expect(trains.filter((k) => !k.includes('.lora_')).sort()).toEqual(['bert.pooler.dense.bias', 'bert.pooler.dense.weight', 'classifier.bias', 'classifier.weight']);
  expect(trains.filter((k) => k.includes('.lora_')).length).toBe(adapters.length);
  // AdamW's ranges cover exactly the trainable slabs.
  const ranges = trainableRanges(layout, 0.01);
  for (const s of layout.slabs) expect(ranges.some((r) => s.offset >= r.offset && s.offset < r.offset + r.count), s.key).toBe(!layout.frozen.has(s.key));
  // GPT-2: c_attn is one fused module in Hugging Face, so one adapter; all-linear adds the MLP; ln_f is frozen as PEFT leaves it.
  const g = classifierLayout(gpt, 2, lora({ targets: 'all-linear' }));
  expect(g.part('transformer.h.1.attn.c_attn.lora_B.weight').shape).toEqual([48, 4]);
  expect(g.part('transformer.h.0.mlp.c_proj.lora_A.weight').shape).toEqual([4, 64]);
  expect(g.frozen.has('transformer.ln_f.weight')).toBe(true);
  expect(peftConfig(g, '/runs/gpt')).toMatchObject({ peft_type: 'LORA', task_type: 'SEQ_CLS', r: 4, lora_alpha: 8, fan_in_fan_out: true, modules_to_save: ['score'] });
  expect((peftConfig(g, '/runs/gpt').target_modules as string[]).slice(0, 4)).toEqual(['transformer.h.0.attn.c_attn', 'transformer.h.0.attn.c_proj', 'transformer.h.0.mlp.c_fc', 'transformer.h.0.mlp.c_proj']);
});

test("BART's adapters: q, k, v, out of every self-attention and of the decoder's cross-attention, PEFT-named", () => {
  const g = loadGolden('bart_cls_lora');
  const sites = loraSites(g.cfg, g.layout.lora!);
  expect(sites.length).toBe(2 * 4 + 2 * 8);
  expect(sites.filter((x) => x.stack === 'decoder' && x.layer === 1).map((x) => [x.module.slice('model.decoder.layers.1.'.length), x.linear, x.col])).toEqual([
    ['self_attn.q_proj', 'qkv', 0], ['self_attn.k_proj', 'qkv', 16], ['self_attn.v_proj', 'qkv', 32], ['self_attn.out_proj', 'attnOut', 0],
    ['encoder_attn.q_proj', 'crossQ', 0], ['encoder_attn.k_proj', 'crossKv', 0], ['encoder_attn.v_proj', 'crossKv', 16], ['encoder_attn.out_proj', 'crossOut', 0],
  ]);
  expect(peftConfig(g.layout, '/runs/bart')).toMatchObject({ modules_to_save: ['classification_head'], lora_dropout: 0.1, fan_in_fan_out: false });
});

test('bad LoRA settings are refused, naming the option', () => {
  expect(() => classifierLayout(bert, 2, lora({ dropout: 1 }))).toThrow(/--lora-dropout must be in \[0, 1\) \(got 1\)/);
  expect(() => classifierLayout(bert, 2, lora({ dropout: -0.1 }))).toThrow(/--lora-dropout must be in \[0, 1\)/);
  expect(peftConfig(classifierLayout(bert, 2, lora({ dropout: 0.1 })), '/runs/bert')).toMatchObject({ lora_dropout: 0.1 });
  expect(() => classifierLayout(bert, 2, lora({ rank: 17 }))).toThrow(/--lora-rank 17 exceeds the model's smallest linear dimension \(16\)/);
  expect(() => classifierLayout(bert, 2, lora({ rank: 0 }))).toThrow(/--lora-rank must be a positive integer/);
  expect(() => classifierLayout(bert, 2, lora({ alpha: -1 }))).toThrow(/--lora-alpha must be a positive number/);
  expect(() => classifierLayout(bert, 2, lora({ targets: 'mlp' as LoraSpec['targets'] }))).toThrow(/--lora-targets must be attention or all-linear/);
});

/** Seeded values in [-1, 1) for every float of a layout (B included, so the update is not zero). */
function randomParams(layout: ParamLayout, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(layout.totalFloats);
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

for (const [name, cfg, targets] of [['BERT (per-q/k/v slices of the fused weight)', bert, 'attention'], ['GPT-2 (Conv1D [in, out], all linears)', gpt, 'all-linear']] as const) {
  test(`merged weights equal base + (alpha/r)·B·A in float64: ${name}`, () => {
    const layout = classifierLayout(cfg, 3, lora({ targets }));
    const params = randomParams(layout, 7);
    const merged = mergeLora(layout, params);
    expect(allParts(merged.layout).some((p) => p.name.includes('lora_'))).toBe(false);
    const get = (l: ParamLayout, flat: Float32Array, n: string) => flat.subarray(l.part(n).offset, l.part(n).offset + l.part(n).numel);
    // The reference, independent of merge.ts and of the fused layout: each Hugging Face tensor in
    // float64 (BERT's query, key, value separately; GPT-2's c_attn whole), plus s · B A.
    const s = 8 / 4;
    const expected = new Map<string, Float64Array>();
    for (const p of allParts(merged.layout)) expected.set(p.name, Float64Array.from(get(layout, params, p.name)));
    let worst = 0;
    let moved = 0;
    for (const site of loraSites(layout.config, layout.lora!)) {
      const A = get(layout, params, `${site.module}.lora_A.weight`);
      const B = get(layout, params, `${site.module}.lora_B.weight`);
      const W = expected.get(`${site.module}.weight`)!;
      const conv1d = cfg.kind === 'decoder'; // [in, out], else nn.Linear's [out, in]
      for (let o = 0; o < site.out; o++) {
        for (let i = 0; i < site.in; i++) {
          let d = 0;
          for (let k = 0; k < 4; k++) d += B[o * 4 + k] * A[k * site.in + i];
          W[conv1d ? i * site.out + o : o * site.in + i] += s * d;
        }
      }
    }
    for (const [n, want] of expected) {
      const got = get(merged.layout, merged.params, n);
      const before = get(layout, params, n);
      for (let i = 0; i < want.length; i++) {
        worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
        moved = Math.max(moved, Math.abs(got[i] - before[i]));
      }
    }
    console.log(`${name}: merged vs float64 reference, worst relative error ${worst.toExponential(2)}; largest change ${moved.toFixed(3)}`);
    expect(worst).toBeLessThan(2e-7);
    expect(moved).toBeGreaterThan(0.1);
  });
}

// --- end to end on tiny pretrained runs ---------------------------------------------------------

let ctx: GpuContext;
let runsDir: string;
let bertRun: string;
let gptRun: string;
let labeled: string;

const GOOD = ['a good day', 'so good and fine', 'good food here', 'it was good', 'very good work', 'good, good'];
const BAD = ['a bad day', 'so bad and poor', 'bad food here', 'it was bad', 'very bad work', 'bad, bad'];

beforeAll(async () => {
  ctx = await GpuContext.open();
  runsDir = tempRunsDir('lora');
  const pretrain = async (objective: string, name: string) => {
    const options = resolveTrainOptions(undefined, {
      objective, corpus: [SAMPLE_EN], runsDir, name, split: 'tail', tokenizer: 'char', nLayer: 2, nHead: 2, nEmbd: 16, blockSize: 32,
      batchSize: 4, steps: 2, warmupSteps: 0, evalEvery: 2, evalIters: 1, logEvery: 1, checkpointEvery: 2, sampleTokens: 0, dropout: 0,
    });
    return (await new TrainingRun(ctx, { kind: 'new', options }).start()).runDir;
  };
  bertRun = await pretrain('mlm', 'bert');
  gptRun = await pretrain('clm', 'gpt');
  const rows = ['label,text', ...Array.from({ length: 60 }, (_, i) => (i % 2 ? `pos,"${GOOD[i % 6]}"` : `neg,"${BAD[i % 6]}"`))];
  labeled = join(runsDir, 'labeled.csv');
  writeFileSync(labeled, rows.join('\n') + '\n');
}, 120_000);
afterAll(() => {
  ctx?.destroy();
  removeTempRunsDirs();
});

function options(from: string, over: Partial<FineTuneOptions>): FineTuneOptions {
  return { ...FINETUNE_DEFAULTS, from, data: labeled, runsDir, valFraction: 0.2, testFraction: 0.2, steps: 4, batchSize: 8, maxLength: 20, evalEvery: 4, warmupSteps: 0, lr: 2e-2, ...over };
}

/** The first head's logits of one forward pass (no dropout) of `params` in `layout` on the golden's batch. */
async function logitsOf(layout: ParamLayout, params: Float32Array, name: string): Promise<Float32Array> {
  const g = loadGolden(name);
  const p = Tensor.from(ctx, params, [layout.totalFloats]);
  const grads = Tensor.empty(ctx, [layout.totalFloats]);
  const graph = buildGraph(ctx, layout, p, grads, { batchSize: g.batchSize, seqLen: g.cfg.blockSize, targetLen: g.targetLen }, 1) as ModelGraph;
  const batch = batchOf(g);
  for (const [n, t] of Object.entries(graph.inputs)) t.write(batch[n]);
  const rec = new Recorder(ctx);
  graph.forward(rec, false);
  await rec.run();
  const out = await graph.logits.read();
  rec.destroy();
  graph.destroy();
  p.destroy();
  grads.destroy();
  return out;
}

// bart_cls_lora: q, k, v, out of self- and cross-attention (the cross k|v slab's two slices read the
// encoder output); its golden's logits are the dropout forward's, so only the first two are compared.
for (const name of ['bert_cls_lora', 'gpt_cls_lora', 'bart_cls_lora']) {
  test(`${name}: the merged model's logits equal the adapted model's (and PyTorch's), and differ from the base's`, async () => {
    // The golden's B is random (not PEFT's zeros), so the adapters change the logits a lot.
    const g = loadGolden(name);
    const adapted = await logitsOf(g.layout, g.flatParams, name);
    const merged = mergeLora(g.layout, g.flatParams);
    const plain = await logitsOf(merged.layout, merged.params, name);
    const base = Float32Array.from(g.flatParams);
    for (const s of g.layout.slabs) if (s.role === 'adapter') base.fill(0, s.offset, s.offset + s.numel);
    const without = await logitsOf(g.layout, base, name);
    const vsAdapted = relativeError(plain, adapted);
    const vsTorch = relativeError(plain, g.tensors.get('output.logits')!.data);
    const vsBase = relativeError(without, adapted);
    console.log(`${name}: merged vs adapted logits rel ${vsAdapted.rel.toExponential(2)}, vs PyTorch ${vsTorch.rel.toExponential(2)}; without the adapters rel ${vsBase.rel.toFixed(3)}`);
    expect(vsAdapted.rel).toBeLessThan(1e-5);
    if (g.layout.lora!.dropout === 0) expect(vsTorch.rel).toBeLessThan(1e-4);
    expect(vsBase.rel).toBeGreaterThan(0.05);
  });
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.prototype.every.call(a, (x: number, i: number) => Object.is(x, b[i]));

for (const [model, targets] of [['bert', 'attention'], ['gpt', 'all-linear']] as const) {
  test(`${model} --scope lora (${targets}): base bit-identical without AdamW state, PEFT files written, the merged run predicts the same`, async () => {
    const from = model === 'bert' ? bertRun : gptRun;
    const data = loadLabeledData(options(from, {}));
    const r = await fineTune(ctx, options(from, { scope: lora({ targets }), name: `${model}-lora` }), data);
    const base = readSafetensors(join(from, 'checkpoints', `step-${latestCheckpoint(from)}`, 'model.safetensors')).tensors;
    const dir = join(r.runDir, 'checkpoints', `step-${latestCheckpoint(r.runDir)}`);
    const tuned = readSafetensors(join(dir, 'model.safetensors')).tensors;
    const optimizer = readSafetensors(join(dir, 'optimizer.safetensors')).tensors;
    let adapters = 0;
    for (const [n, t] of tuned) {
      if (n.includes('.lora_')) {
        adapters++;
        expect(optimizer.get(`${n}.exp_avg`)!.data.some((x) => x !== 0), `${n} has AdamW state`).toBe(true);
      } else if (base.has(n)) {
        expect(same(t.data, base.get(n)!.data), `${n} bit-identical`).toBe(true);
        expect(optimizer.get(`${n}.exp_avg`)!.data.every((x) => x === 0) && optimizer.get(`${n}.exp_avg_sq`)!.data.every((x) => x === 0), `${n} has no AdamW state`).toBe(true);
      }
    }
    expect(adapters).toBeGreaterThan(0);
    const bs = [...tuned].filter(([n]) => n.endsWith('lora_B.weight'));
    expect(bs.some(([, t]) => t.data.some((x) => x !== 0)), 'B trained away from zero').toBe(true);
    expect(r.trainableParameters).toBeLessThan(r.parameters / 3);

    // PEFT's files: the adapters and the head under base_model.model., the config naming them.
    const peft = readSafetensors(join(dir, ADAPTER_WEIGHTS)).tensors;
    const saved = model === 'bert' ? /^(bert\.pooler\.|classifier\.)|\.lora_/ : /^score\.|\.lora_/;
    const expectedNames = [...tuned.keys()].filter((n) => saved.test(n)).map((n) => `base_model.model.${n}`).sort();
    expect(expectedNames).toContain(model === 'bert' ? 'base_model.model.classifier.weight' : 'base_model.model.score.weight');
    expect([...peft.keys()].sort()).toEqual(expectedNames);
    for (const [n, t] of peft) expect(same(t.data, tuned.get(n.slice('base_model.model.'.length))!.data), n).toBe(true);
    if (model === 'bert') expect(peft.has('base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight')).toBe(true);
    const config = JSON.parse(readFileSync(join(dir, ADAPTER_CONFIG), 'utf8'));
    expect(config).toMatchObject({ peft_type: 'LORA', task_type: 'SEQ_CLS', r: 4, lora_alpha: 8, lora_dropout: 0, base_model_name_or_path: from });

    // Merge, then score and predict with both: the same answers without any LoRA code.
    const merged = mergeLoraRun(r.runDir);
    expect(existsSync(join(merged.runDir, 'config.json'))).toBe(true);
    const mergedTensors = readSafetensors(join(merged.runDir, 'checkpoints', `step-${merged.step}`, 'model.safetensors')).tensors;
    expect([...mergedTensors.keys()].some((n) => n.includes('lora_'))).toBe(false);
    const [a, b] = [await evaluateRun(ctx, r.runDir, labeled), await evaluateRun(ctx, merged.runDir, labeled)];
    expect(b.confusion).toEqual(a.confusion);
    expect(Math.abs(b.loss - a.loss)).toBeLessThan(1e-5);
    let worst = 0;
    for (const text of ['a good day', 'so bad and poor', 'good food, bad day']) {
      const [p, q] = [await predictText(ctx, r.runDir, text), await predictText(ctx, merged.runDir, text)];
      expect(q.label).toBe(p.label);
      p.probabilities.forEach((x, k) => (worst = Math.max(worst, Math.abs(x.probability - q.probabilities[k].probability))));
    }
    console.log(`${model} LoRA: ${adapters / 2} adapters, ${r.trainableParameters} of ${r.parameters} parameters train; merged vs adapted: loss ${a.loss.toFixed(6)} vs ${b.loss.toFixed(6)}, worst probability difference ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-5);
    expect(() => mergeLoraRun(r.runDir)).toThrow(/already holds a run/);
    expect(() => mergeLoraRun(merged.runDir)).toThrow(/not fine-tuned with LoRA adapters/);
    // The merged weights differ from the base: the adapters changed something.
    const q0 = model === 'bert' ? 'bert.encoder.layer.0.attention.self.query.weight' : 'transformer.h.0.attn.c_attn.weight';
    expect(same(mergedTensors.get(q0)!.data, base.get(q0)!.data)).toBe(false);
  }, 120_000);
}
