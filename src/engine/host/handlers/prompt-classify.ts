// prompt.classify / prompt.preview: zero- and few-shot classification of a labeled file by
// prompting a GPT run (src/engine/prompt), with progress events and cancellation through the
// same registry as prompt.generate; the decoder is loaded per request and freed after it.
import { join, resolve } from 'node:path';
import type { CommandParams } from '../../../protocol/index.ts';
import { loadDecoder } from '../../generate/index.ts';
import { buildPrompt, checkFormat, evaluatePrompting, readLabeledFile, selectDemonstrations, type LabeledExample, type PromptFormat } from '../../prompt/index.ts';
import { EOS, loadTokenizer } from '../../tokenizers/index.ts';
import { readRunConfig, TOKENIZER_FILE } from '../../train/index.ts';
import { checkpointOf, runningOf } from './prompt-generate.ts';
import type { Handler } from './types.ts';

type Source = Pick<CommandParams<'prompt.classify'>, 'data' | 'textColumn' | 'labelColumn' | 'pool' | 'template' | 'classes' | 'words' | 'separator'>;

function formatOf(p: Source): PromptFormat {
  const f: PromptFormat = { template: p.template, classes: p.classes, words: p.words, ...(p.separator !== undefined ? { separator: p.separator } : {}) };
  checkFormat(f);
  return f;
}

function rows(path: string, p: Source): LabeledExample[] {
  return readLabeledFile(resolve(path), { ...(p.textColumn ? { textColumn: p.textColumn } : {}), ...(p.labelColumn ? { labelColumn: p.labelColumn } : {}) });
}

/** The demonstration pool when none is given: the file's rows outside the evaluated range. */
function withoutEvaluated(all: readonly LabeledExample[], offset: number, limit: number): LabeledExample[] {
  return all.filter((_, i) => i < offset || i >= offset + limit);
}

export const promptClassify: Handler<'prompt.classify'> = async (p, host) => {
  const live = runningOf(host);
  if (live.has(p.generationId)) throw new Error(`a job with id '${p.generationId}' is already running`);
  const abort = new AbortController();
  live.set(p.generationId, abort);
  try {
    const runDir = resolve(p.runDir);
    const { model, step } = checkpointOf(runDir, p.step);
    const format = formatOf(p);
    const all = rows(p.data, p);
    const offset = p.offset ?? 0;
    const examples = all.slice(offset, offset + (p.limit ?? 200));
    if (examples.length === 0) throw new Error(`${p.data}: no rows from offset ${offset} (it has ${all.length})`);
    const pool = p.pool ? rows(p.pool, p) : withoutEvaluated(all, offset, p.limit ?? 200);
    const tok = await loadTokenizer(join(runDir, TOKENIZER_FILE));
    const decoder = loadDecoder(await host.gpu(), model, join(runDir, 'checkpoints', `step-${step}`, 'model.safetensors'));
    let last = 0;
    try {
      const eosId = tok.tokenToId(EOS);
      const results = await evaluatePrompting(decoder, { encode: (t) => tok.encode(t), decode: (ids) => tok.decode(ids) }, examples, pool, {
        format, method: p.method ?? 'likelihood', normalize: p.normalize ?? false, calibrate: p.calibrate ?? false,
        ...(p.contentFree !== undefined ? { contentFree: p.contentFree } : {}), shots: p.shots, seeds: p.seeds ?? [1], order: p.order ?? 'shuffled',
        ...(eosId !== undefined ? { eosId } : {}), signal: abort.signal,
        onProgress: (done, total) => {
          const now = performance.now();
          if (done === total || now - last >= 250) { last = now; host.emit({ type: 'prompt.progress', generationId: p.generationId, done, total }); }
        },
      });
      return {
        step, n: examples.length, blockSize: model.blockSize,
        results: results.map(({ predictions, metrics, ...r }) => (void predictions, { ...r, accuracy: metrics.accuracy, macroF1: metrics.macroF1, f1: metrics.f1, confusion: metrics.confusion, unmatched: metrics.unmatched })),
      };
    } finally {
      decoder.destroy();
    }
  } finally {
    live.delete(p.generationId);
  }
};

export const promptPreview: Handler<'prompt.preview'> = async (p) => {
  const runDir = resolve(p.runDir);
  const model = readRunConfig(runDir).pretrain_studio.model;
  if (model.kind !== 'decoder') throw new Error(`${runDir} holds an ${model.kind} model; prompting needs a GPT (decoder)`);
  const format = formatOf(p);
  const tok = await loadTokenizer(join(runDir, TOKENIZER_FILE));
  const codec = { encode: (t: string) => tok.encode(t) };
  const pool = p.k === 0 ? [] : p.pool ? rows(p.pool, p) : withoutEvaluated(rows(p.data, p), p.offset ?? 0, p.limit ?? 200);
  const demos = selectDemonstrations(pool, format.classes, p.k, p.seed ?? 1, p.order ?? 'shuffled');
  const longest = Math.max(...format.words.map((w) => codec.encode(w).length));
  const built = buildPrompt(codec, format, demos, p.text, model.blockSize - longest + 1);
  return { text: built.text, tokens: built.ids.length, blockSize: model.blockSize, demonstrations: built.demonstrations.map((d) => ({ line: d.line, label: d.label })), cut: built.cut };
};
