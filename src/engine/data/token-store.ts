// The token stream of a shard directory, read by position from its files instead of held whole,
// so a process's memory does not grow with the corpus: training draws B windows of T + 1 tokens
// per step, and a window costs one or two block reads (fs reads at an offset) unless a recent
// window already brought its blocks in.
//
//   stream position p  →  shard s with shardStart[s] <= p < shardStart[s + 1]
//                      →  block b = floor((p - shardStart[s]) / blockTokens) of that file,
//                         at byte offset b * blockTokens * bytesPerToken
//
// Blocks never straddle two files (a shard's last block is short), and the last `cacheBlocks`
// blocks used stay in memory (least recently used goes first): the bound is
// cacheBlocks * blockTokens * bytesPerToken bytes (default 256 × 16384 × 2 = 8 MiB for uint16).
// Files are opened per block read and closed at once: no descriptors to leak or to keep a run
// folder from being moved or deleted on Windows.
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { lastAtMost } from './number-list';

/**
 * A token stream read by range. Typed arrays satisfy it (subarray is a view), so in-memory
 * datasets (tests, small tools) and file-backed ones go through the same code; the file-backed
 * store returns a fresh copy. Callers must not write into what subarray returns.
 */
export interface TokenStore {
  readonly length: number;
  subarray(from: number, to: number): Uint16Array | Uint32Array;
}

/** A per-token byte store (word-start flags: text-units.ts): a Uint8Array, or a RangedTokenStore of dtype 'uint8'. */
export interface ByteStore {
  readonly length: number;
  subarray(from: number, to: number): Uint8Array;
}

export interface RangedStoreOptions {
  /** Tokens per block read (default 16384). */
  blockTokens?: number;
  /** Blocks kept in memory (default 256). */
  cacheBlocks?: number;
}

type TokenArray = Uint8Array | Uint16Array | Uint32Array;
type TokenArrayOf<D> = D extends 'uint8' ? Uint8Array : D extends 'uint16' ? Uint16Array : Uint32Array;
const ARRAYS = { uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array } as const;

/**
 * Also reads per-token bytes (dtype 'uint8': text-units' word-start flags) by the same blocks, so
 * those files need no reader of their own.
 */
export class RangedTokenStore<D extends 'uint8' | 'uint16' | 'uint32' = 'uint16' | 'uint32'> {
  readonly length: number;
  private readonly shardStart: Float64Array;
  private readonly Arr: typeof Uint8Array | typeof Uint16Array | typeof Uint32Array;
  private readonly blockTokens: number;
  private readonly cacheBlocks: number;
  /** Key "shard:block" → block, in use order (a Map iterates in insertion order: first = oldest). */
  private readonly cache = new Map<string, TokenArray>();

  constructor(private readonly dir: string, private readonly files: readonly { file: string; tokens: number }[], dtype: D, o: RangedStoreOptions = {}) {
    this.Arr = ARRAYS[dtype];
    this.blockTokens = o.blockTokens ?? 16384;
    this.cacheBlocks = o.cacheBlocks ?? 256;
    this.shardStart = new Float64Array(files.length + 1);
    for (let s = 0; s < files.length; s++) this.shardStart[s + 1] = this.shardStart[s] + files[s].tokens;
    this.length = this.shardStart[files.length];
  }

  subarray(from: number, to: number): TokenArrayOf<D> {
    from = Math.max(0, from); to = Math.min(this.length, to);
    const out = new this.Arr(Math.max(0, to - from)) as TokenArrayOf<D>;
    let s = this.shardOf(from);
    for (let p = from; p < to;) {
      while (p >= this.shardStart[s + 1]) s++;
      const inShard = p - this.shardStart[s];
      const b = Math.floor(inShard / this.blockTokens);
      const block = this.block(s, b);
      const at = inShard - b * this.blockTokens;
      const n = Math.min(block.length - at, to - p);
      out.set(block.subarray(at, at + n), p - from);
      p += n;
    }
    return out;
  }

  private shardOf(p: number): number {
    return lastAtMost(this.shardStart, p, this.files.length);
  }

  private block(s: number, b: number): TokenArray {
    const key = `${s}:${b}`;
    const hit = this.cache.get(key);
    if (hit) { this.cache.delete(key); this.cache.set(key, hit); return hit; }
    const first = b * this.blockTokens;
    const count = Math.min(this.blockTokens, this.files[s].tokens - first);
    const block = new this.Arr(count);
    const bytes = new Uint8Array(block.buffer);
    const path = join(this.dir, this.files[s].file);
    const fd = openSync(path, 'r');
    try {
      let got = 0;
      while (got < bytes.length) {
        const n = readSync(fd, bytes, got, bytes.length - got, first * this.Arr.BYTES_PER_ELEMENT + got);
        if (n === 0) throw new Error(`shards: ${path} ends before token ${first + count} (${(first * this.Arr.BYTES_PER_ELEMENT + got) / this.Arr.BYTES_PER_ELEMENT} tokens); the file is truncated`);
        got += n;
      }
    } finally { closeSync(fd); }
    if (this.cache.size >= this.cacheBlocks) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, block);
    return block;
  }
}

/** Visit the stream [from, to) in chunks of at most `chunk` tokens (whole-corpus passes: counts, decoding). */
export function* chunksOf<S extends TokenStore | ByteStore>(tokens: S, from = 0, to = tokens.length, chunk = 1 << 20): Generator<{ at: number; ids: ReturnType<S['subarray']> }> {
  for (let at = from; at < to; at += chunk) yield { at, ids: tokens.subarray(at, Math.min(to, at + chunk)) as ReturnType<S['subarray']> };
}
