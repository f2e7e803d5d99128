// Classifying a labeled set by prompting a GPT, with K demonstrations per class (K = 0: zero-shot):
//   likelihood  the class whose label word is most likely after the prompt (label-scores.ts), the
//               sum of its tokens' log-probabilities, optionally divided by its token count, and
//               optionally calibrated (Zhao et al. 2021, "Calibrate before use"): the scores,
//               normalised over the labels, minus those the same prompt gives a content-free
//               input ("N/A"), which removes the model's prior for each label word
//   generate    greedy tokens after the prompt; the class whose label word (trimmed) the text
//               starts with, or none (counted wrong)
// One set of demonstrations per (K, seed), shared by every query: its tokens are fed once.
import type { KvDecoder } from '../generate/kv-decoder';
import { argmax } from '../generate/sampling';
import { buildPrompt, checkFormat, renderQuery, selectDemonstrations, type PromptFormat } from './few-shot';
import type { LabeledExample } from './labeled';
import { logSoftmax, scoreLabels } from './label-scores';
import { classMetrics, type ClassMetrics } from './metrics';

export interface PromptCodec {
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
}

export interface PromptEvalOptions {
  format: PromptFormat;
  method?: 'likelihood' | 'generate';
  /** Divide each label's log-probability by its token count (default false). */
  normalize?: boolean;
  /** Calibrate by a content-free input (default false). */
  calibrate?: boolean;
  /** The content-free input (default 'N/A'). */
  contentFree?: string;
  /** K values (demonstrations per class); default [0]. */
  shots?: readonly number[];
  /** Seeds for choosing demonstrations; each K > 0 runs once per seed (default [1]). */
  seeds?: readonly number[];
  order?: 'shuffled' | 'grouped';
  /** Demonstrations given by hand, in order (used for every K > 0 instead of a seeded choice). */
  demonstrations?: readonly LabeledExample[];
  /** Token id that ends greedy generation. */
  eosId?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface ShotResult {
  k: number;
  seed: number;
  metrics: ClassMetrics;
  /** Predicted class index per example (-1: none). */
  predictions: number[];
  demonstrations: { line: number; label: string }[];
  /** The exact prompt of the first example, and of the content-free input when calibrating. */
  examplePrompt: string;
  contentFreePrompt?: string;
  /** Examples whose prompt lost demonstrations or text to the context, and the first such cuts. */
  cutExamples: number;
  cuts: string[];
  seconds: number;
}

export async function evaluatePrompting(decoder: KvDecoder, codec: PromptCodec, examples: readonly LabeledExample[], pool: readonly LabeledExample[], o: PromptEvalOptions): Promise<ShotResult[]> {
  const f = o.format;
  checkFormat(f);
  const truth = examples.map((e) => {
    const c = f.classes.indexOf(e.label);
    if (c < 0) throw new Error(`line ${e.line}: class '${e.label}' has no label word (classes: ${f.classes.join(', ')})`);
    return c;
  });
  const method = o.method ?? 'likelihood';
  const labelIds = f.words.map((w) => codec.encode(w));
  labelIds.forEach((ids, i) => { if (ids.length === 0) throw new Error(`label word ${JSON.stringify(f.words[i])} encodes to no tokens`); });
  const longest = Math.max(...labelIds.map((l) => l.length));
  const genTokens = longest + 2;
  // What the prompt may take: the last label token is never fed; generation feeds all but the last.
  const budget = decoder.maxT - (method === 'generate' ? genTokens - 1 : longest - 1);
  const runs = (o.shots ?? [0]).flatMap((k) => (k === 0 || o.demonstrations ? [{ k, seed: 0 }] : (o.seeds ?? [1]).map((seed) => ({ k, seed }))));
  const total = runs.length * examples.length;
  const results: ShotResult[] = [];
  let done = 0;
  for (const { k, seed } of runs) {
    const started = performance.now();
    const demos = k === 0 ? [] : o.demonstrations ? [...o.demonstrations] : selectDemonstrations(pool, f.classes, k, seed, o.order);
    const classScores = async (query: string, cachedKey: { key: string }) => {
      const built = buildPrompt(codec, f, demos, query, budget);
      // The decoder holds this prefix when the previous prompt had the same demonstrations.
      const key = built.demonstrations.map((d) => d.line).join(',') + `:${built.prefixLength}`;
      const cached = built.prefixLength > 0 && key === cachedKey.key ? built.prefixLength : 0;
      cachedKey.key = key;
      const s = await scoreLabels(decoder, built.ids, labelIds, cached);
      const raw = s.sums.map((v, i) => (o.normalize ? v / s.lengths[i] : v));
      return { built, raw, next: s.next };
    };
    const cache = { key: '' };
    let cf: number[] | null = null;
    let contentFreePrompt: string | undefined;
    if (o.calibrate && method === 'likelihood') {
      const r = await classScores(o.contentFree ?? 'N/A', cache);
      cf = logSoftmax(r.raw);
      contentFreePrompt = r.built.text;
    }
    const predictions: number[] = [];
    const cuts: string[] = [];
    let cutExamples = 0;
    let examplePrompt = '';
    for (const [i, ex] of examples.entries()) {
      if (o.signal?.aborted) throw new Error('prompt evaluation cancelled');
      const r = await classScores(ex.text, cache);
      if (i === 0) examplePrompt = r.built.text;
      if (r.built.cut.length) {
        cutExamples++;
        if (cuts.length < 5) cuts.push(`line ${ex.line}: ${r.built.cut.join('; ')}`);
      }
      if (method === 'likelihood') {
        const scores = cf ? logSoftmax(r.raw).map((v, c) => v - cf![c]) : r.raw;
        predictions.push(argmax(scores));
      } else {
        predictions.push(matchLabel(await greedy(decoder, r.next, genTokens, o.eosId, codec), f.words));
      }
      o.onProgress?.(++done, total);
    }
    results.push({
      k, seed, predictions, metrics: classMetrics(truth, predictions, f.classes.length),
      demonstrations: demos.map((d) => ({ line: d.line, label: d.label })),
      examplePrompt: examplePrompt || renderQuery(f, ''), ...(contentFreePrompt !== undefined ? { contentFreePrompt } : {}),
      cutExamples, cuts, seconds: (performance.now() - started) / 1000,
    });
  }
  return results;
}

/** Greedy tokens from `next` (the logits after the prompt, already fed), decoded. */
async function greedy(decoder: KvDecoder, next: Float32Array, n: number, eosId: number | undefined, codec: PromptCodec): Promise<string> {
  const ids: number[] = [];
  let logits: Float32Array = next;
  for (let i = 0; i < n; i++) {
    const id = argmax(logits);
    if (id === eosId) break;
    ids.push(id);
    if (i + 1 < n && decoder.length < decoder.maxT) logits = await decoder.feed([id]);
    else break;
  }
  return codec.decode(ids);
}

/** The class whose trimmed label word the generated text starts with (the longest word first), or -1. */
export function matchLabel(generated: string, words: readonly string[]): number {
  const text = generated.trimStart();
  const order = words.map((w, i) => ({ w: w.trim(), i })).sort((a, b) => b.w.length - a.w.length);
  for (const { w, i } of order) if (w !== '' && text.startsWith(w)) return i;
  return -1;
}
