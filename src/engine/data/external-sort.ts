// Sorting more fixed-width records than memory should hold: records are gathered into a chunk of
// `chunkBytes`, each full chunk is sorted in place and written out as a sorted run file, and the
// runs are merged k at a time (a heap over one small read buffer per run). Memory is the chunk plus
// fanIn read buffers, whatever the number of records; disk is the records themselves (twice while
// an intermediate merge pass rewrites them). A record is `words` unsigned 32-bit words compared
// word by word, the first most significant. Run files are raw words in this machine's byte order:
// they live in the caller's temporary folder and are never read elsewhere.
import { open, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export interface ExternalSortOptions {
  /** u32 words per record. */
  words: number;
  /** An existing folder for the run files (the caller removes it on failure; finish() removes its runs). */
  dir: string;
  /** File names start with this (several sorters may share `dir`). */
  name: string;
  /** Bytes of records sorted in memory at once (default 4 MiB). */
  chunkBytes?: number;
  /** Runs merged at once (default 64; more runs are merged in passes). */
  fanIn?: number;
  /** Bytes of each run's read buffer while merging (default 64 KiB). */
  readBytes?: number;
  signal?: AbortSignal;
}

export class ExternalSorter {
  private readonly words: number;
  private readonly chunk: Uint32Array;
  private readonly chunkRecords: number;
  private readonly fanIn: number;
  private readonly readRecords: number;
  private count = 0;
  private runs: string[] = [];
  private runSeq = 0;
  private finished = false;
  /** Records added so far. */
  total = 0;

  constructor(private readonly opts: ExternalSortOptions) {
    if (!Number.isInteger(opts.words) || opts.words < 1) throw new Error(`external sort: words must be a positive integer, got ${opts.words}`);
    this.words = opts.words;
    const recordBytes = 4 * opts.words;
    this.chunkRecords = Math.max(2, Math.floor((opts.chunkBytes ?? 4 << 20) / recordBytes));
    this.chunk = new Uint32Array(this.chunkRecords * opts.words);
    this.fanIn = Math.max(2, opts.fanIn ?? 64);
    this.readRecords = Math.max(1, Math.floor((opts.readBytes ?? 64 << 10) / recordBytes));
  }

  /** Runs written so far (each a sorted chunk). */
  get runCount(): number { return this.runs.length; }

  /** Adds one record (its first `words` values, each taken as u32). */
  async push(record: ArrayLike<number>): Promise<void> {
    if (this.finished) throw new Error('external sort: push after sorted()');
    const o = this.count * this.words;
    for (let k = 0; k < this.words; k++) this.chunk[o + k] = record[k];
    this.count++;
    this.total++;
    if (this.count === this.chunkRecords) await this.spill();
  }

  private async spill(): Promise<void> {
    this.opts.signal?.throwIfAborted();
    sortRecords(this.chunk, this.words, this.count);
    const path = this.runPath();
    await writeFile(path, new Uint8Array(this.chunk.buffer, 0, this.count * this.words * 4));
    this.runs.push(path);
    this.count = 0;
  }

  private runPath(): string { return join(this.opts.dir, `${this.opts.name}-run-${this.runSeq++}.bin`); }

  /**
   * Every record added, in order, as batches of whole records (a view that the next batch
   * overwrites: use it before asking for more). Run files are removed as they are merged.
   */
  async *sorted(): AsyncGenerator<Uint32Array> {
    this.finished = true;
    if (this.runs.length === 0) {
      // Everything fitted in one chunk: no file at all.
      sortRecords(this.chunk, this.words, this.count);
      if (this.count > 0) yield this.chunk.subarray(0, this.count * this.words);
      return;
    }
    if (this.count > 0) await this.spill();
    while (this.runs.length > this.fanIn) {
      const next: string[] = [];
      for (let i = 0; i < this.runs.length; i += this.fanIn) {
        const group = this.runs.slice(i, i + this.fanIn);
        if (group.length === 1) { next.push(group[0]); continue; }
        const path = this.runPath();
        const out = await open(path, 'w');
        try {
          for await (const batch of this.merge(group)) await out.write(new Uint8Array(batch.buffer, batch.byteOffset, batch.byteLength));
        } finally {
          await out.close();
        }
        next.push(path);
      }
      this.runs = next;
    }
    yield* this.merge(this.runs);
    this.runs = [];
  }

  /** Removes the run files not yet merged (a sort given up before its end). */
  async discard(): Promise<void> {
    await Promise.all(this.runs.map((p) => rm(p, { force: true })));
    this.runs = [];
  }

  /** A k-way merge of sorted run files; each is removed once read to its end. */
  private async *merge(paths: string[]): AsyncGenerator<Uint32Array> {
    const w = this.words;
    const readers = await Promise.all(paths.map((p) => RunReader.open(p, w, this.readRecords)));
    try {
      // A binary heap of reader indices, ordered by each reader's current record.
      const heap: number[] = [];
      const less = (a: number, b: number) => compareAt(readers[a].buf, readers[a].pos * w, readers[b].buf, readers[b].pos * w, w) < 0;
      const down = (i: number) => {
        for (;;) {
          const l = 2 * i + 1, r = l + 1;
          let m = i;
          if (l < heap.length && less(heap[l], heap[m])) m = l;
          if (r < heap.length && less(heap[r], heap[m])) m = r;
          if (m === i) return;
          [heap[i], heap[m]] = [heap[m], heap[i]];
          i = m;
        }
      };
      for (let i = 0; i < readers.length; i++) if (await readers[i].fill()) heap.push(i);
      for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
      const outRecords = this.readRecords * 4;
      const out = new Uint32Array(outRecords * w);
      let n = 0;
      while (heap.length > 0) {
        const r = readers[heap[0]];
        const o = r.pos * w;
        for (let k = 0; k < w; k++) out[n * w + k] = r.buf[o + k];
        n++;
        r.pos++;
        if (r.pos === r.count && !(await r.fill())) {
          const last = heap.pop()!;
          if (heap.length > 0) heap[0] = last;
        }
        if (heap.length > 0) down(0);
        if (n === outRecords) {
          this.opts.signal?.throwIfAborted();
          yield out;
          n = 0;
        }
      }
      if (n > 0) yield out.subarray(0, n * w);
    } finally {
      await Promise.all(readers.map((r) => r.close()));
    }
    await Promise.all(paths.map((p) => rm(p, { force: true })));
  }
}

/** Reads a run file a buffer at a time. */
class RunReader {
  readonly buf: Uint32Array;
  pos = 0;
  count = 0;
  private offset = 0;
  private constructor(private readonly fh: FileHandle, private readonly words: number, records: number) {
    this.buf = new Uint32Array(records * words);
  }
  static async open(path: string, words: number, records: number): Promise<RunReader> {
    return new RunReader(await open(path, 'r'), words, records);
  }
  /** Reads the next records; false at the end of the file. */
  async fill(): Promise<boolean> {
    const bytes = new Uint8Array(this.buf.buffer);
    let got = 0;
    // A read may return fewer bytes than asked; a record is never split at the end of a batch.
    for (;;) {
      const { bytesRead } = await this.fh.read(bytes, got, bytes.length - got, this.offset + got);
      got += bytesRead;
      if (bytesRead === 0 || got === bytes.length || got % (4 * this.words) === 0) break;
    }
    this.offset += got;
    this.count = Math.floor(got / (4 * this.words));
    this.pos = 0;
    return this.count > 0;
  }
  async close(): Promise<void> { await this.fh.close(); }
}

function compareAt(a: Uint32Array, ao: number, b: Uint32Array, bo: number, w: number): number {
  for (let k = 0; k < w; k++) {
    const x = a[ao + k], y = b[bo + k];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function swap(a: Uint32Array, i: number, j: number, w: number): void {
  const oi = i * w, oj = j * w;
  for (let k = 0; k < w; k++) { const t = a[oi + k]; a[oi + k] = a[oj + k]; a[oj + k] = t; }
}

/**
 * Sorts the first `n` records of `a` in place: quicksort with a three-way partition (runs of equal
 * records, as duplicates give, cost nothing more) and median-of-three pivots, insertion sort for
 * short ranges; the larger side waits on a stack so its depth stays logarithmic. No extra memory
 * but one record.
 */
export function sortRecords(a: Uint32Array, w: number, n: number): void {
  const p = new Uint32Array(w);
  const stack: number[] = [0, n];
  while (stack.length > 0) {
    let hi = stack.pop()!;
    let lo = stack.pop()!;
    while (hi - lo > 16) {
      const mid = lo + ((hi - lo) >> 1);
      let m = mid;
      const x = lo, y = mid, z = hi - 1;
      if (compareAt(a, x * w, a, y * w, w) < 0) {
        if (compareAt(a, y * w, a, z * w, w) < 0) m = y; else m = compareAt(a, x * w, a, z * w, w) < 0 ? z : x;
      } else if (compareAt(a, x * w, a, z * w, w) < 0) m = x; else m = compareAt(a, y * w, a, z * w, w) < 0 ? z : y;
      p.set(a.subarray(m * w, m * w + w));
      let lt = lo, i = lo, gt = hi;
      while (i < gt) {
        const c = compareAt(a, i * w, p, 0, w);
        if (c < 0) swap(a, lt++, i++, w);
        else if (c > 0) swap(a, i, --gt, w);
        else i++;
      }
      // [lo, lt) < pivot, [lt, gt) = pivot, [gt, hi) > pivot.
      if (lt - lo < hi - gt) { stack.push(gt, hi); hi = lt; } else { stack.push(lo, lt); lo = gt; }
    }
    for (let i = lo + 1; i < hi; i++) {
      p.set(a.subarray(i * w, i * w + w));
      let j = i - 1;
      while (j >= lo && compareAt(a, j * w, p, 0, w) > 0) { a.copyWithin((j + 1) * w, j * w, j * w + w); j--; }
      a.set(p, (j + 1) * w);
    }
  }
}
