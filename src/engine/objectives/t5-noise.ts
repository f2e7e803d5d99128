// T5's span-corruption noise, computed as T5 computes it (Raffel et al. 2019 §3.1.4; the code is
// google-research/text-to-text-transfer-transformer, t5/data/preprocessors.py):
//   random_spans_helper      the token count to draw so that the corrupted input fills exactly
//                            inputs_length (and the target length that goes with it);
//   random_spans_noise_mask  num_noise_tokens = round(length · density), num_noise_spans =
//                            round(num_noise_tokens / mean_span_length), then noise and non-noise
//                            token counts are each cut into that many non-empty spans at random
//                            (a shuffled 0/1 "first in segment" vector) and interleaved,
//                            non-noise first, so the mask always ends on a noise span.
// TF computes the mask's counts in float32 and rounds half to even (tf.round); the helper runs in
// Python floats, which also round half to even. Both are mirrored here, so the counts agree with
// T5's for every length (tests/goldens/t5_spans.json, from scripts/goldens/make_t5_spans.py).
// Only the shuffle's random numbers differ (ours come from the run's Rng, TF's from its stateless
// seeds); given the same shuffled vectors the masks are identical.
import type { Rng } from '../data/index.ts';

/** Round half to even, like tf.round and Python 3's round(). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export interface SpanCounts {
  /** Tokens hidden (in noise spans). */
  noise: number;
  /** Number of noise spans (= number of non-noise spans). */
  spans: number;
}

/** random_spans_noise_mask's counts for `length` tokens, in TF's float32 arithmetic. */
export function spanCounts(length: number, density: number, meanSpan: number): SpanCounts {
  const n = Math.max(length, 2);
  const f = Math.fround;
  let noise = roundHalfEven(f(f(n) * f(density)));
  noise = Math.min(Math.max(noise, 1), n - 1);
  const spans = Math.max(roundHalfEven(f(f(noise) / f(meanSpan))), 1);
  return { noise, spans };
}

/**
 * random_spans_helper: the raw token count to draw for `inputsLength` encoder positions (one
 * sentinel per noise span and one EOS included), and the target length (the noise tokens, one
 * sentinel per span, EOS). Python arithmetic: float64, round half to even.
 */
export function randomSpansHelper(inputsLength: number, density: number, meanSpan: number): { tokensLength: number; targetsLength: number } {
  const lengths = (tokens: number) => {
    const noise = roundHalfEven(tokens * density);
    const spans = roundHalfEven(noise / meanSpan);
    return { inputs: tokens - noise + spans + 1, targets: noise + spans + 1 };
  };
  let tokensLength = inputsLength - 1;
  while (lengths(tokensLength + 1).inputs <= inputsLength) tokensLength++;
  let targetsLength = lengths(tokensLength).targets;
  // T5's "minor hack": at density 0.5 keep the targets no longer than the inputs.
  if (density === 0.5 && targetsLength > inputsLength) { tokensLength--; targetsLength--; }
  return { tokensLength, targetsLength };
}

/**
 * _random_segmentation's input: `items - 1` slots, the first `segments - 1` of them 1, shuffled
 * (Fisher–Yates from the rng; TF uses a stateless shuffle).
 */
export function shuffledBoundaries(items: number, segments: number, rng: Rng): Uint8Array {
  const v = new Uint8Array(Math.max(items - 1, 0));
  for (let i = 0; i < v.length; i++) v[i] = i < segments - 1 ? 1 : 0;
  for (let i = v.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = v[i]; v[i] = v[j]; v[j] = t;
  }
  return v;
}

/**
 * _random_segmentation after the shuffle: pad a 0 in front, cumsum to segment ids, count each id.
 * Every segment is non-empty because a 1 can only start a segment after the first slot.
 */
export function segmentLengths(boundaries: ArrayLike<number>): number[] {
  const lengths = [1];
  for (let i = 0; i < boundaries.length; i++) {
    if (boundaries[i]) lengths.push(1);
    else lengths[lengths.length - 1]++;
  }
  return lengths;
}

/**
 * The mask from the two segmentations: non-noise span 0, noise span 0, non-noise span 1 … ;
 * 1 marks a noise token. Cut to `origLength` (T5 computes at max(length, 2)).
 */
export function interleaveSpans(origLength: number, nonNoise: readonly number[], noise: readonly number[]): Uint8Array {
  if (nonNoise.length !== noise.length) throw new Error(`interleaveSpans: ${nonNoise.length} non-noise spans but ${noise.length} noise spans`);
  const total = nonNoise.reduce((a, b) => a + b, 0) + noise.reduce((a, b) => a + b, 0);
  const mask = new Uint8Array(total);
  let at = 0;
  for (let s = 0; s < noise.length; s++) {
    at += nonNoise[s];
    mask.fill(1, at, at + noise[s]);
    at += noise[s];
  }
  return mask.subarray(0, origLength);
}

/** random_spans_noise_mask: 1 where a token is hidden, for `length` tokens. */
export function randomSpansNoiseMask(length: number, density: number, meanSpan: number, rng: Rng): Uint8Array {
  const n = Math.max(length, 2);
  const { noise, spans } = spanCounts(length, density, meanSpan);
  // T5 draws the noise segmentation with seeds[0], then the non-noise one with seeds[1].
  const noiseLengths = segmentLengths(shuffledBoundaries(noise, spans, rng));
  const nonNoiseLengths = segmentLengths(shuffledBoundaries(n - noise, spans, rng));
  return interleaveSpans(length, nonNoiseLengths, noiseLengths);
}

/**
 * noise_span_to_unique_sentinel applied both ways: the input keeps the non-noise tokens and puts
 * sentinel i where noise span i was; the target is sentinel i then noise span i, for every span.
 * `sentinels[i]` is <extra_id_i>'s id; EOS ends both.
 */
export function spanCorrupt(tokens: ArrayLike<number>, mask: Uint8Array, sentinels: readonly number[], eos: number): { inputs: number[]; targets: number[] } {
  const inputs: number[] = [];
  const targets: number[] = [];
  let span = -1;
  for (let i = 0; i < tokens.length; i++) {
    if (mask[i]) {
      if (i === 0 || !mask[i - 1]) {
        span++;
        if (span >= sentinels.length) throw new Error(`span corruption: span ${span + 1} needs <extra_id_${span}>, but the tokenizer has ${sentinels.length} sentinels`);
        inputs.push(sentinels[span]);
        targets.push(sentinels[span]);
      }
      targets.push(tokens[i]);
    } else inputs.push(tokens[i]);
  }
  inputs.push(eos);
  targets.push(eos);
  return { inputs, targets };
}

/** The original tokens back from a corrupted input and its target (the inverse of spanCorrupt). */
export function spanUncorrupt(inputs: readonly number[], targets: readonly number[], sentinels: readonly number[], eos: number): number[] {
  const index = new Map(sentinels.map((id, i) => [id, i]));
  const spans: number[][] = [];
  let current: number[] | null = null;
  for (const id of targets) {
    if (id === eos) break;
    const s = index.get(id);
    if (s !== undefined) { current = []; spans[s] = current; } else current?.push(id);
  }
  const out: number[] = [];
  for (const id of inputs) {
    if (id === eos) break;
    const s = index.get(id);
    if (s !== undefined) out.push(...(spans[s] ?? [])); else out.push(id);
  }
  return out;
}
