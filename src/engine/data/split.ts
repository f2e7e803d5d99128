// Train / validation splits over a token dataset, as lists of stream ranges:
//   documents: each document goes to validation with probability valFraction, decided by a
//              seeded hash of (seed, document index): deterministic, independent of run order,
//              and at least one document on each side when there are two or more.
//   stream   : the first (1 - valFraction) of the token stream for training, the rest for
//              validation (nanoGPT's shakespeare_char: with a char tokenizer this is exactly
//              "first 90% / last 10% of the characters").
import { mixSeed } from './rng';
import type { TokenDataset } from './shards';

export type SplitSpec =
  | { kind: 'documents'; valFraction: number; seed: number }
  | { kind: 'stream'; valFraction: number };

export interface DataSplit {
  name: 'train' | 'val';
  /** Half-open [start, end) token ranges of the stream, ascending, non-adjacent. */
  starts: Float64Array;
  ends: Float64Array;
  /** cum[i] = tokens in ranges before i; cum[n] = total. */
  cum: Float64Array;
  tokens: number;
  /** Documents (by corpus index) in this split. */
  documents: Int32Array;
}

function makeSplit(name: 'train' | 'val', ranges: [number, number][], docs: number[]): DataSplit {
  const merged: [number, number][] = [];
  for (const [s, e] of ranges) {
    if (e <= s) continue;
    const last = merged[merged.length - 1];
    if (last && last[1] === s) last[1] = e; else merged.push([s, e]);
  }
  const starts = Float64Array.from(merged, (r) => r[0]);
  const ends = Float64Array.from(merged, (r) => r[1]);
  const cum = new Float64Array(merged.length + 1);
  for (let i = 0; i < merged.length; i++) cum[i + 1] = cum[i] + (ends[i] - starts[i]);
  return { name, starts, ends, cum, tokens: cum[merged.length], documents: Int32Array.from(docs) };
}

export function splitDataset(ds: TokenDataset, spec: SplitSpec): { train: DataSplit; val: DataSplit } {
  if (!(spec.valFraction >= 0 && spec.valFraction < 1)) throw new Error(`split: valFraction must be in [0, 1), got ${spec.valFraction}`);
  const n = ds.meta.numDocuments;
  const s = ds.docStarts;
  if (spec.kind === 'stream') {
    const cut = Math.floor(ds.meta.numTokens * (1 - spec.valFraction));
    const trainDocs: number[] = [], valDocs: number[] = [];
    for (let i = 0; i < n; i++) { if (s[i] < cut) trainDocs.push(i); if (s[i + 1] > cut) valDocs.push(i); }
    return { train: makeSplit('train', [[0, cut]], trainDocs), val: makeSplit('val', [[cut, ds.meta.numTokens]], valDocs) };
  }
  const isVal = new Uint8Array(n);
  for (let i = 0; i < n; i++) isVal[i] = mixSeed(spec.seed, i) / 4294967296 < spec.valFraction ? 1 : 0;
  if (n >= 2 && spec.valFraction > 0) {
    const count = isVal.reduce((a, b) => a + b, 0);
    if (count === 0) isVal[mixSeed(spec.seed, -1) % n] = 1;
    if (count === n) isVal[mixSeed(spec.seed, -2) % n] = 0;
  }
  const tr: [number, number][] = [], va: [number, number][] = [];
  const trDocs: number[] = [], vaDocs: number[] = [];
  for (let i = 0; i < n; i++) {
    (isVal[i] ? va : tr).push([s[i], s[i + 1]]);
    (isVal[i] ? vaDocs : trDocs).push(i);
  }
  return { train: makeSplit('train', tr, trDocs), val: makeSplit('val', va, vaDocs) };
}
