// One pass over a dataset's document offsets that deals documents and token ranges to the train
// and validation sides of a split (split.ts says how each kind decides). Each side's sink merges
// adjacent ranges and appends to its lists as it goes: the lists may be typed arrays growing in
// memory or files written through fixed buffers (split-file.ts), from the same walk, so both hold
// the same numbers.
import { mixSeed } from './rng';
import { describeList, numberChunks, type NumberList } from './number-list';

export type SplitSpec =
  | { kind: 'documents'; valFraction: number; seed: number }
  | { kind: 'stream'; valFraction: number };

/** Where a side's lists go, in order; null columns only count. */
export interface SplitColumns {
  starts: { push(v: number): void };
  ends: { push(v: number): void };
  cum: { push(v: number): void };
  documents: { push(v: number): void };
}

/** One side of a split as the walk builds it: half-open ranges, merged when adjacent, with cumulative token counts. */
export class SplitSink {
  ranges = 0;
  documents = 0;
  tokens = 0;
  private s = -1;
  private e = -1;

  constructor(private readonly cols: SplitColumns | null) { cols?.cum.push(0); }

  range(s: number, e: number): void {
    if (e <= s) return;
    if (this.e === s) { this.e = e; return; }
    this.flush();
    this.s = s; this.e = e;
  }

  doc(i: number): void {
    this.documents++;
    this.cols?.documents.push(i);
  }

  finish(): void { this.flush(); this.s = this.e = -1; }

  private flush(): void {
    if (this.e < 0) return;
    this.ranges++;
    this.tokens += this.e - this.s;
    if (this.cols) { this.cols.starts.push(this.s); this.cols.ends.push(this.e); this.cols.cum.push(this.tokens); }
  }
}

export function checkSpec(spec: SplitSpec): void {
  if (!(spec.valFraction >= 0 && spec.valFraction < 1)) throw new Error(`split: valFraction must be in [0, 1), got ${spec.valFraction}`);
}

/** Walks documents 0..n-1 of `docStarts` (n + 1 offsets) in order, feeding both sides; finishes them. */
export function walkSplit(docStarts: NumberList, numDocuments: number, numTokens: number, spec: SplitSpec, train: SplitSink, val: SplitSink): void {
  const n = numDocuments;
  let isVal: (i: number) => boolean;
  if (spec.kind === 'stream') {
    const cut = Math.floor(numTokens * (1 - spec.valFraction));
    train.range(0, cut); val.range(cut, numTokens);
    forEachDocument(docStarts, n, (i, s, e) => { if (s < cut) train.doc(i); if (e > cut) val.doc(i); });
  } else {
    const drawn = (i: number) => mixSeed(spec.seed, i) / 4294967296 < spec.valFraction;
    // At least one document on each side when there are two or more: counted first, so that no
    // per-document flag is kept (the walk draws each document again).
    let count = 0;
    for (let i = 0; i < n; i++) if (drawn(i)) count++;
    const some = n >= 2 && spec.valFraction > 0;
    const forceVal = some && count === 0 ? mixSeed(spec.seed, -1) % n : -1;
    const forceTrain = some && count === n ? mixSeed(spec.seed, -2) % n : -1;
    isVal = (i) => (i === forceVal ? true : i === forceTrain ? false : drawn(i));
    forEachDocument(docStarts, n, (i, s, e) => { const side = isVal(i) ? val : train; side.range(s, e); side.doc(i); });
  }
  train.finish(); val.finish();
}

/** (i, start, end) for every document, read in chunks; offsets that go down are a damaged file. */
function forEachDocument(docStarts: NumberList, n: number, f: (i: number, start: number, end: number) => void): void {
  if (docStarts.length < n + 1) throw new Error(`split: ${describeList(docStarts)} holds ${docStarts.length} offsets, expected ${n + 1}`);
  let prev = docStarts.at(0)!;
  for (const { at, values } of numberChunks(docStarts, 1, n + 1)) {
    for (let j = 0; j < values.length; j++) {
      const e = values[j], i = at + j - 1;
      if (!(e >= prev)) throw new Error(`split: ${describeList(docStarts)}: document ${i} ends at ${e}, before its start ${prev}; the offsets are damaged`);
      f(i, prev, e);
      prev = e;
    }
  }
}
