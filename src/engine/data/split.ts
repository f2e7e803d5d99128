// Train / validation splits over a token dataset, as lists of stream ranges:
//   documents: each document goes to validation with probability valFraction, decided by a
//              seeded hash of (seed, document index): deterministic, independent of run order,
//              and at least one document on each side when there are two or more.
//   stream   : the first (1 - valFraction) of the token stream for training, the rest for
//              validation (nanoGPT's shakespeare_char: with a char tokenizer this is exactly
//              "first 90% / last 10% of the characters").
// A dataset opened from a token directory gets its split from a file there, computed once by a
// streaming pass over docs.bin and read by block afterwards (split-file.ts); one built in memory
// gets typed arrays from the same pass (split-walk.ts).
import type { TokenDataset } from './shards';
import type { NumberList } from './number-list';
import { checkSpec, SplitSink, walkSplit, type SplitColumns, type SplitSpec } from './split-walk';
import { fileSplit } from './split-file';

export type { SplitSpec } from './split-walk';

export interface DataSplit {
  name: 'train' | 'val';
  /** Half-open [start, end) token ranges of the stream, ascending, non-adjacent. */
  starts: NumberList;
  ends: NumberList;
  /** cum[i] = tokens in ranges before i; cum[n] = total. */
  cum: NumberList;
  tokens: number;
  /** Documents (by corpus index) in this split, ascending. */
  documents: NumberList;
}

export function splitDataset(ds: TokenDataset, spec: SplitSpec): { train: DataSplit; val: DataSplit } {
  checkSpec(spec);
  return (ds.files && fileSplit(ds, ds.files, spec)) || memorySplit(ds, spec);
}

/** A growable typed array. */
class Grow<T extends Float64Array | Int32Array> {
  private data: T;
  private n = 0;
  constructor(private readonly make: (n: number) => T) { this.data = make(16); }
  push(v: number): void {
    if (this.n === this.data.length) { const next = this.make(this.n * 2); next.set(this.data); this.data = next; }
    this.data[this.n++] = v;
  }
  take(): T { return this.data.slice(0, this.n) as T; }
}

function memoryColumns() {
  const f64 = () => new Grow((n) => new Float64Array(n));
  return { starts: f64(), ends: f64(), cum: f64(), documents: new Grow((n) => new Int32Array(n)) } satisfies SplitColumns;
}

/** The split as typed arrays (a dataset built in memory, or a token directory that cannot be written). */
export function memorySplit(ds: TokenDataset, spec: SplitSpec): { train: DataSplit; val: DataSplit } {
  checkSpec(spec);
  const cols = { train: memoryColumns(), val: memoryColumns() };
  const sinks = { train: new SplitSink(cols.train), val: new SplitSink(cols.val) };
  walkSplit(ds.docStarts, ds.meta.numDocuments, ds.meta.numTokens, spec, sinks.train, sinks.val);
  const side = (name: 'train' | 'val'): DataSplit => {
    const c = cols[name];
    return { name, starts: c.starts.take(), ends: c.ends.take(), cum: c.cum.take(), tokens: sinks[name].tokens, documents: c.documents.take() };
  };
  return { train: side('train'), val: side('val') };
}
