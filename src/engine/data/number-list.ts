// Long lists of numbers that grow with the corpus (document offsets, labels, a split's ranges,
// cumulative token counts and documents) read by index from a file instead of held whole, the
// way token-store.ts reads the token stream:
//
//   index i  →  block b = floor(i / blockItems)  →  bytes at offset + b * blockItems * width
//
// At most `cacheBlocks` blocks stay in memory, recently used ones kept (second chance: a block
// used since the eviction hand last passed it is spared once, which approximates "least recently
// used goes first" without reordering the cache on every read: a binary search reads ~20 numbers,
// and Map delete + set per read cost more than the search itself). The bound per list is cacheBlocks * blockItems * 8 bytes (default 256 × 1024 × 8 = 2 MiB). A binary
// search over such a list touches the same top-level blocks every time: those stay cached, and a
// search costs at most one or two block reads at its leaves. Random access (a document drawn at
// random) misses the cache in proportion to the list's size beyond it; a miss is a small read
// (8 KiB, ~10 µs from the page cache), so blocks are kept small.
// Typed arrays satisfy NumberList as they are, so datasets built in memory (tests, small tools)
// and file-backed ones go through the same code.
import { closeSync, openSync, readSync, statSync } from 'node:fs';

export type NumberArray = Float64Array | Int32Array;
/** A block as read: uint64 numbers as pairs of uint32 halves (low first). */
type RawBlock = Float64Array | Int32Array | Uint32Array;

/** Read-only numbers by index. `at` is undefined outside [0, length) (typed arrays: also negative indices count from the end; never used). */
export interface NumberList extends Iterable<number> {
  readonly length: number;
  at(i: number): number | undefined;
  /** [from, to) clamped to the list: a view for a typed array, a copy for a file-backed list. Do not write into it. */
  subarray(from: number, to: number): NumberArray;
}

/** list[i], or a RangeError naming the list: an index past the end is a bug, not a NaN to carry on with. */
export function valueAt(list: NumberList, i: number): number {
  const v = i >= 0 ? list.at(i) : undefined;
  if (v === undefined) throw new RangeError(`index ${i} outside ${describeList(list)} (${list.length} numbers)`);
  return v;
}

/** The last index i in [0, end) with list[i] <= x in a non-decreasing list (-1 when list[0] > x): a binary search, ~log2(end) reads. */
export function lastAtMost(list: NumberList, x: number, end = list.length): number {
  let lo = -1, hi = end - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (valueAt(list, mid) <= x) lo = mid; else hi = mid - 1;
  }
  return lo;
}

/** Visit [from, to) of a list in chunks of at most `chunk` numbers (whole-list passes). */
export function* numberChunks(list: NumberList, from = 0, to = list.length, chunk = 1 << 16): Generator<{ at: number; values: NumberArray }> {
  for (let at = from; at < to; at += chunk) yield { at, values: list.subarray(at, Math.min(to, at + chunk)) };
}

/** The file a list is read from, or a plain description for one in memory (for error messages). */
export function describeList(list: NumberList): string {
  return list instanceof RangedNumbers ? list.path : 'an in-memory list';
}

/** How numbers are stored: little-endian uint64 (read as doubles, exact below 2^53), float64 or int32. */
export type NumberFileType = 'uint64' | 'float64' | 'int32';

export const NUMBER_WIDTH: Record<NumberFileType, number> = { uint64: 8, float64: 8, int32: 4 };

export interface RangedNumbersOptions {
  /** Numbers per block read (default 1024). */
  blockItems?: number;
  /** Blocks kept in memory (default 256). */
  cacheBlocks?: number;
  /** Where the list starts in the file, in bytes (default 0). */
  offset?: number;
}

export class RangedNumbers implements NumberList {
  private readonly width: number;
  private readonly blockItems: number;
  private readonly cacheBlocks: number;
  private readonly offset: number;
  /** Block index → block and whether it was used since the hand last passed (a Map iterates in insertion order: first = next to consider). */
  private readonly cache = new Map<number, { block: RawBlock; used: boolean }>();
  /** The block used last: consecutive reads in one block skip the Map. */
  private lastIndex = -1;
  private lastBlock: RawBlock | null = null;
  /** Open only through one synchronous burst of reads (a batch), closed at the next turn of the event loop. */
  private fd: number | null = null;

  /**
   * A list of `length` numbers of `type` at `offset` in `path`. The file must hold them all: a
   * shorter one is refused here, naming it, rather than failing later at a read past its end.
   */
  constructor(readonly path: string, readonly type: NumberFileType, readonly length: number, o: RangedNumbersOptions = {}) {
    this.width = NUMBER_WIDTH[type];
    this.blockItems = o.blockItems ?? 1024;
    this.cacheBlocks = Math.max(1, o.cacheBlocks ?? 256);
    this.offset = o.offset ?? 0;
    const need = this.offset + length * this.width;
    const size = statSync(path).size;
    if (size < need) throw new Error(`${path} has ${size} bytes, expected at least ${need} (${length} ${type} numbers); the file is truncated`);
  }

  at(i: number): number | undefined {
    if (!(i >= 0 && i < this.length)) return undefined;
    const b = Math.floor(i / this.blockItems);
    const block = this.block(b), j = i - b * this.blockItems;
    return this.type === 'uint64' ? block[2 * j] + block[2 * j + 1] * 4294967296 : block[j];
  }

  subarray(from: number, to: number): NumberArray {
    from = Math.max(0, from); to = Math.min(this.length, to);
    const out = this.type === 'int32' ? new Int32Array(Math.max(0, to - from)) : new Float64Array(Math.max(0, to - from));
    for (let i = from; i < to;) {
      const b = Math.floor(i / this.blockItems);
      const block = this.block(b);
      const at = i - b * this.blockItems;
      const n = Math.min(Math.min(this.blockItems, this.length - b * this.blockItems) - at, to - i);
      if (this.type === 'uint64') for (let j = 0; j < n; j++) out[i - from + j] = block[2 * (at + j)] + block[2 * (at + j) + 1] * 4294967296;
      else out.set(block.subarray(at, at + n), i - from);
      i += n;
    }
    return out;
  }

  *[Symbol.iterator](): Iterator<number> {
    for (const { values } of numberChunks(this, 0, this.length, this.blockItems)) yield* values;
  }

  private block(b: number): RawBlock {
    if (b === this.lastIndex) return this.lastBlock!;
    const hit = this.cache.get(b);
    let block: RawBlock;
    if (hit) { hit.used = true; block = hit.block; } else {
      // The evicted block's memory is read into: no allocation (and no garbage) per miss.
      let spare: RawBlock | null = null;
      while (this.cache.size >= this.cacheBlocks) {
        const [oldest, entry] = this.cache.entries().next().value!;
        this.cache.delete(oldest);
        if (entry.used) { entry.used = false; this.cache.set(oldest, entry); } else spare = entry.block;
      }
      block = this.read(b, spare);
      this.cache.set(b, { block, used: false });
    }
    this.lastIndex = b; this.lastBlock = block;
    return block;
  }

  private read(b: number, spare: RawBlock | null): RawBlock {
    const first = b * this.blockItems;
    const count = Math.min(this.blockItems, this.length - first);
    const reuse = spare && spare.byteLength === count * this.width ? spare : null;
    const bytes = reuse ? new Uint8Array(reuse.buffer, reuse.byteOffset, reuse.byteLength) : new Uint8Array(count * this.width);
    const fd = this.descriptor();
    let got = 0;
    while (got < bytes.length) {
      const n = readSync(fd, bytes, got, bytes.length - got, this.offset + first * this.width + got);
      if (n === 0) throw new Error(`${this.path} ends before number ${first + count} of ${this.length}; the file was truncated after it was opened`);
      got += n;
    }
    // uint64 stays as two uint32 halves, combined per read: converting a block through BigInt
    // costs ~300 µs, thirty times the read.
    if (reuse) return reuse;
    return this.type === 'int32' ? new Int32Array(bytes.buffer) : this.type === 'float64' ? new Float64Array(bytes.buffer) : new Uint32Array(bytes.buffer);
  }

  /**
   * The file, opened on the first read of a burst and closed once the caller yields: a batch's
   * random reads (a miss every few numbers) pay one open, and no descriptor stays open to leak or
   * to keep a run folder from being moved or deleted on Windows.
   */
  private descriptor(): number {
    if (this.fd !== null) return this.fd;
    const fd = openSync(this.path, 'r');
    this.fd = fd;
    const timer = setTimeout(() => { this.fd = null; closeSync(fd); }, 0) as { unref?: () => void };
    timer.unref?.();
    return fd;
  }
}
