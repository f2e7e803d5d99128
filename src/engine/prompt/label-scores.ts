// Scoring label words by their likelihood after a prompt, on the KV-cache decoder:
//
//   score(label) = Σ_i log p(w_i | prompt, w_1 … w_{i-1})        (w = the label word's tokens)
//   normalised:    score / len(w)                                 (so long words are not penalised)
//
// The prompt is fed once; each label's tokens are scored from the logits after it, feeding the
// label's own tokens to get the next ones, and the cache is rewound to the prompt before the next
// label. A prefix shared by many prompts (fixed demonstrations) is fed once and rewound to as well.
// log p comes from a float64 log-softmax of the float32 logits row.
import type { KvDecoder } from '../generate/kv-decoder';

/** log softmax(logits)[id], in float64 (max-subtracted). */
export function logProbOf(logits: ArrayLike<number>, id: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let z = 0;
  for (let i = 0; i < logits.length; i++) z += Math.exp(logits[i] - max);
  return logits[id] - max - Math.log(z);
}

/** log softmax over a small vector (the label scores), float64. */
export function logSoftmax(x: readonly number[]): number[] {
  const max = Math.max(...x);
  const z = Math.log(x.reduce((s, v) => s + Math.exp(v - max), 0));
  return x.map((v) => v - max - z);
}

export interface LabelScores {
  /** Σ log p of each label's tokens. */
  sums: number[];
  /** Each label's token count. */
  lengths: number[];
  /** The logits after the prompt (a copy), for greedy generation or inspection. */
  next: Float32Array;
}

/**
 * Scores `labels` (token ids each) after `prompt`. When `prefixLength` > 0 and the decoder already
 * holds exactly that prefix of the prompt (`cached` says how many of its ids are cached), only the
 * rest is fed.
 */
export async function scoreLabels(decoder: KvDecoder, prompt: readonly number[], labels: readonly (readonly number[])[], cached = 0): Promise<LabelScores> {
  if (prompt.length === 0) throw new Error('scoreLabels: the prompt has no tokens');
  const longest = Math.max(...labels.map((l) => l.length));
  if (labels.some((l) => l.length === 0)) throw new Error('scoreLabels: a label word encodes to no tokens');
  if (prompt.length + longest - 1 > decoder.maxT) {
    throw new Error(`scoreLabels: ${prompt.length} prompt tokens and a ${longest}-token label exceed the context of ${decoder.maxT}`);
  }
  if (cached > 0 && decoder.length >= cached) decoder.rewind(cached);
  else { decoder.reset(); cached = 0; }
  const next = Float32Array.from(await decoder.feed(prompt.slice(cached)));
  const base = decoder.length;
  const sums = labels.map(() => 0);
  for (let l = 0; l < labels.length; l++) {
    const ids = labels[l];
    sums[l] = logProbOf(next, ids[0]);
    if (ids.length > 1) {
      decoder.rewind(base);
      for (let i = 1; i < ids.length; i++) sums[l] += logProbOf(await decoder.feed([ids[i - 1]]), ids[i]);
    }
  }
  decoder.rewind(base);
  return { sums, lengths: labels.map((l) => l.length), next };
}
