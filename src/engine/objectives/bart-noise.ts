// BART's noising functions (Lewis et al. 2019 §2.2), in the order fairseq's DenoisingDataset
// applies them (fairseq/data/denoising_dataset.py): sentence permutation, then the token-level
// noise (text infilling, token deletion, token masking), then document rotation. Each works on
// a window of token ids and is a pure function of the caller's Rng.
//   sentence permutation  ceil(S · permute) of the window's S sentences swap places among
//                         themselves (fairseq's permute_sentences);
//   text infilling        ceil(n · infill) tokens are covered by spans whose lengths are drawn
//                         from Poisson(λ = 3) until they add up, the last one trimmed (fairseq's
//                         add_whole_word_mask with span-poisson); each span starts at a distinct
//                         random position and becomes ONE [MASK] (replace_length 1; spans that
//                         touch or overlap merge into one run and one [MASK]); a span of length 0
//                         inserts a [MASK] at a random place (fairseq's num_inserts);
//   token deletion        round(n · deletion) of the untouched tokens are removed;
//   token masking         round(n · tokenMask) of the untouched tokens become [MASK], one each;
//   document rotation     with probability `rotate`, the corrupted text starts at a random token.
// Spans count tokens, not words (fairseq counts the words of GPT-2 BPE, where most words are one
// token): with a char tokenizer a span is about 3 characters.
import type { Rng } from '../data/index.ts';

export interface BartNoise {
  /** Fraction of tokens hidden by text infilling (BART: 0.3). */
  infill: number;
  /** Fraction of the sentences permuted (BART-large: 1, all of them). */
  permute: number;
  /** Fraction of tokens deleted. */
  deletion: number;
  /** Fraction of tokens replaced by [MASK] one by one. */
  tokenMask: number;
  /** Probability that the document is rotated. */
  rotate: number;
}

export const POISSON_LAMBDA = 3;

/** Knuth's Poisson sampler (λ is small). */
export function poisson(rng: Rng, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  for (let p = rng.next(); p > limit; p *= rng.next()) k++;
  return k;
}

/** The first `k` of a random permutation of 0..n-1 (a partial Fisher–Yates). */
function pick(n: number, k: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  const m = Math.min(k, n);
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    const t = a[i]; a[i] = a[j]; a[j] = t;
  }
  return a.slice(0, m);
}

/**
 * fairseq's permute_sentences: the sentence order after permuting ceil(S · fraction) of the S
 * sentences among their own places. `starts` are the sentences' first token offsets (0 first).
 */
export function sentenceOrder(sentences: number, fraction: number, rng: Rng): number[] {
  const order = Array.from({ length: sentences }, (_, i) => i);
  const k = Math.ceil(sentences * fraction);
  if (k < 2) return order;
  const chosen = pick(sentences, k, rng);
  const shuffled = pick(k, k, rng).map((i) => chosen[i]);
  chosen.forEach((place, i) => (order[place] = shuffled[i]));
  return order;
}

/** Poisson(λ) span lengths adding up to exactly `total` (the last one trimmed; zeros kept: insertions). */
export function spanLengths(total: number, rng: Rng, lambda = POISSON_LAMBDA): number[] {
  const lengths: number[] = [];
  let sum = 0;
  while (sum < total) {
    const l = poisson(rng, lambda);
    lengths.push(Math.min(l, total - sum));
    sum += lengths[lengths.length - 1];
  }
  return lengths;
}

/** What became of each token of the (permuted) window. */
export type Fate = 'kept' | 'span' | 'deleted' | 'masked';

export interface Noised {
  /** The encoder's text (without [CLS] / [SEP]). */
  source: number[];
  /** For each original token: what became of it (in the original order). */
  fate: Fate[];
  /** The sentence order used (identity when not permuted). */
  order: number[];
  /** Where the rotated source starts in the unrotated one (0: not rotated). */
  rotation: number;
  /** [MASK]s inserted by zero-length spans. */
  inserted: number;
}

/**
 * All of BART's noise on one window. `sentenceStarts`: offsets in `text` where sentences begin
 * (the first is 0; the window's first and last sentences may be cut by the window).
 */
export function bartNoise(text: ArrayLike<number>, sentenceStarts: readonly number[], noise: BartNoise, mask: number, rng: Rng): Noised {
  const n = text.length;
  // 1. sentence permutation: `origin[i]` is the original position of the i-th permuted token.
  const bounds = [...sentenceStarts.filter((s) => s > 0 && s < n), n];
  const sentences = bounds.map((end, k) => [k === 0 ? 0 : bounds[k - 1], end] as const);
  const order = noise.permute > 0 ? sentenceOrder(sentences.length, noise.permute, rng) : sentences.map((_, k) => k);
  const origin: number[] = [];
  for (const k of order) for (let p = sentences[k][0]; p < sentences[k][1]; p++) origin.push(p);

  // 2. token-level noise on the permuted text.
  const fate = new Array<Fate>(n).fill('kept');
  let inserted = 0;
  if (noise.infill > 0 && n > 0) {
    const lengths = spanLengths(Math.ceil(n * noise.infill), rng);
    const spans = lengths.filter((l) => l > 0);
    inserted = lengths.length - spans.length;
    const starts = pick(n, spans.length, rng);
    starts.forEach((s, i) => fate.fill('span', s, Math.min(n, s + spans[i])));
  }
  const untouched = () => fate.flatMap((f, i) => (f === 'kept' ? [i] : []));
  if (noise.deletion > 0) {
    const free = untouched();
    for (const i of pick(free.length, Math.round(n * noise.deletion), rng)) fate[free[i]] = 'deleted';
  }
  if (noise.tokenMask > 0) {
    const free = untouched();
    for (const i of pick(free.length, Math.round(n * noise.tokenMask), rng)) fate[free[i]] = 'masked';
  }
  let source: number[] = [];
  for (let i = 0; i < n; i++) {
    if (fate[i] === 'kept') source.push(text[origin[i]]);
    else if (fate[i] === 'masked' || (fate[i] === 'span' && (i === 0 || fate[i - 1] !== 'span'))) source.push(mask);
  }
  for (let k = 0; k < inserted; k++) source.splice(rng.int(source.length + 1), 0, mask);

  // 3. document rotation.
  let rotation = 0;
  if (noise.rotate > 0 && source.length > 1 && rng.next() < noise.rotate) {
    rotation = 1 + rng.int(source.length - 1);
    source = [...source.slice(rotation), ...source.slice(0, rotation)];
  }
  const byOriginal = new Array<Fate>(n);
  origin.forEach((p, i) => (byOriginal[p] = fate[i]));
  return { source, fate: byOriginal, order, rotation, inserted };
}
