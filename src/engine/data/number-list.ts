// Long lists of numbers that grow with the corpus (document offsets, labels, a split's ranges,
// cumulative token counts and documents) read by index from a file instead of held whole, the
// way token-store.ts reads the token stream:
//
//   index i  →  block b = floor(i / blockItems)  →  bytes at offset + b * blockItems * width
//
// The last `cacheBlocks` blocks used stay in memory (least recently used goes first), so the
// bound per list is cacheBlocks * blockItems * 8 bytes (default 128 × 2048 × 8 = 2 MiB). A binary
// search over such a list touches the same top-level blocks every time: those stay cached, and a
// search costs at most one or two block reads at its leaves.
// Typed arrays satisfy NumberList as they are, so datasets built in memory (tests, small tools)
// and file-backed ones go through the same code.
import { closeSync, openSync, readSync, statSync } from 'node:fs';

export type NumberArray = Float64Array | Int32Array;

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
  /** Numbers per block read (default 2048). */
  blockItems?: number;
  /** Blocks kept in memory (default 128). */
  cacheBlocks?: number;
  /** Where the list starts in the file, in bytes (default 0). */
  offset?: number;
}

export class RangedNumbers implements NumberList {
  private readonly width: number;
  private readonly blockItems: number;
  private readonly cacheBlocks: number;
  private readonly offset: number;
  /** Block index → block, in use order (a Map iterates in insertion order: first = oldest). */
  private readonly cache = new Map<number, NumberArray>();
  /** The block used last: consecutive reads in one block skip the Map. */
  private lastIndex = -1;
  private lastBlock: NumberArray | null = null;

  /**
   * A list of `length` numbers of `type` at `offset` in `path`. The file must hold them all: a
   * shorter one is refused here, naming it, rather than failing later at a read past its end.
   */
  constructor(readonly path: string, readonly type: NumberFileType, readonly length: number, o: RangedNumbersOptions = {}) {
    this.width = NUMBER_WIDTH[type];
    this.blockItems = o.blockItems ?? 2048;
    this.cacheBlocks = Math.max(1, o.cacheBlocks ?? 128);
    this.offset = o.offset ?? 0;
    const need = this.offset + length * this.width;
    const size = statSync(path).size;
    if (size < need) throw new Error(`${path} has ${size} bytes, expected at least ${need} (${length} ${type} numbers); the file is truncated`);
  }

  at(i: number): number | undefined {
    if (!(i >= 0 && i < this.length)) return undefined;
    const b = Math.floor(i / this.blockItems);
    return this.block(b)[i - b * this.blockItems];
  }

  subarray(from: number, to: number): NumberArray {
    from = Math.max(0, from); to = Math.min(this.length, to);
    const out = this.type === 'int32' ? new Int32Array(Math.max(0, to - from)) : new Float64Array(Math.max(0, to - from));
    for (let i = from; i < to;) {
      const b = Math.floor(i / this.blockItems);
      const block = this.block(b);
      const at = i - b * this.blockItems;
      const n = Math.min(block.length - at, to - i);
      out.set(block.subarray(at, at + n), i - from);
      i += n;
    }
    return out;
  }

  *[Symbol.iterator](): Iterator<number> {
    for (const { values } of numberChunks(this, 0, this.length, this.blockItems)) yield* values;
  }

  private block(b: number): NumberArray {
    if (b === this.lastIndex) return this.lastBlock!;
    let block = this.cache.get(b);
    if (block) this.cache.delete(b);
    else {
      block = this.read(b);
      if (this.cache.size >= this.cacheBlocks) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(b, block);
    this.lastIndex = b; this.lastBlock = block;
    return block;
  }

  private read(b: number): NumberArray {
    const first = b * this.blockItems;
    const count = Math.min(this.blockItems, this.length - first);
    const bytes = new Uint8Array(count * this.width);
    const fd = openSync(this.path, 'r');
    try {
      let got = 0;
      while (got < bytes.length) {
        const n = readSync(fd, bytes, got, bytes.length - got, this.offset + first * this.width + got);
        if (n === 0) throw new Error(`${this.path} ends before number ${first + count} of ${this.length}; the file was truncated after it was opened`);
        got += n;
      }
    } finally { closeSync(fd); }
    if (this.type === 'int32') return new Int32Array(bytes.buffer);
    if (this.type === 'float64') return new Float64Array(bytes.buffer);
    return Float64Array.from(new BigUint64Array(bytes.buffer), (v) => Number(v));
  }
}
