// Batches for the trainer, drawn from a split with a caller-supplied Rng (use batchRng(seed,
// step, split) so the batch at step N is the same in a resumed run).
//   sampleBatch:         B windows of T+1 consecutive tokens at uniform offsets in the split's
//                        token space (windows may cross document separators, as in nanoGPT);
//                        x = window[0..T), y = window[1..T].
//   sampleDocumentBatch: B random documents, each from its start, truncated to T and padded:
//                        for objectives that want whole documents (BERT, T5, classification).
import type { Rng } from './rng';
import type { TokenDataset } from './shards';
import type { DataSplit } from './split';
import { lastAtMost, valueAt } from './number-list';

export interface Batch {
  /** [B, T] input ids. */
  x: Int32Array;
  /** [B, T] target ids (next token); -1 where there is no target (document batches' padding). */
  y: Int32Array;
}

/** Copy `count` tokens starting at virtual offset `pos` of the split into out[at..]. */
export function copyRange(ds: TokenDataset, split: DataSplit, pos: number, count: number, out: Int32Array | Uint32Array, at: number): void {
  copyRangeOf(ds.tokens, split, pos, count, out, at);
}

/**
 * copyRange over any per-token store of the stream (token ids, or per-token flags such as word
 * starts): one subarray per stream range the window crosses, so a file-backed store reads blocks.
 */
export function copyRangeOf(source: { subarray(from: number, to: number): ArrayLike<number> }, split: DataSplit, pos: number, count: number, out: Int32Array | Uint32Array | Uint8Array, at: number): void {
  forEachRangeOf(split, pos, count, (from, n, k) => {
    const piece = source.subarray(from, from + n);
    for (let i = 0; i < n; i++) out[at + k + i] = piece[i];
  });
}

/** The stream pieces of the split's positions [pos, pos + count): fn(stream offset, length, offset in the window), in order. */
export function forEachRangeOf(split: DataSplit, pos: number, count: number, fn: (from: number, n: number, k: number) => void): void {
  let r = lastAtMost(split.cum, pos, split.starts.length), inRange = pos - valueAt(split.cum, r); // the range holding pos
  let start = valueAt(split.starts, r), len = valueAt(split.ends, r) - start;
  for (let k = 0; k < count;) {
    while (inRange >= len) { r++; inRange = 0; start = valueAt(split.starts, r); len = valueAt(split.ends, r) - start; }
    const n = Math.min(count - k, len - inRange);
    fn(start + inRange, n, k);
    k += n; inRange += n;
  }
}

export function sampleBatch(ds: TokenDataset, split: DataSplit, batchSize: number, blockSize: number, rng: Rng): Batch {
  const span = blockSize + 1;
  if (split.tokens < span) throw new Error(`sampleBatch: the ${split.name} split has ${split.tokens} tokens, fewer than blockSize + 1 = ${span}`);
  const x = new Int32Array(batchSize * blockSize);
  const y = new Int32Array(batchSize * blockSize);
  const window = new Int32Array(span);
  for (let b = 0; b < batchSize; b++) {
    const pos = rng.int(split.tokens - span + 1);
    copyRange(ds, split, pos, span, window, 0);
    x.set(window.subarray(0, blockSize), b * blockSize);
    y.set(window.subarray(1, span), b * blockSize);
  }
  return { x, y };
}

export interface DocumentBatch extends Batch {
  /** Real (unpadded) tokens in each row's x. */
  lengths: Int32Array;
  /** Corpus index of each row's document. */
  documents: Int32Array;
}

export function sampleDocumentBatch(ds: TokenDataset, split: DataSplit, batchSize: number, blockSize: number, rng: Rng, padId: number): DocumentBatch {
  if (split.documents.length === 0) throw new Error(`sampleDocumentBatch: the ${split.name} split has no documents`);
  const x = new Int32Array(batchSize * blockSize).fill(padId);
  const y = new Int32Array(batchSize * blockSize).fill(-1);
  const lengths = new Int32Array(batchSize);
  const documents = new Int32Array(batchSize);
  const sep = ds.meta.separator.length;
  for (let b = 0; b < batchSize; b++) {
    const d = valueAt(split.documents, rng.int(split.documents.length));
    const start = valueAt(ds.docStarts, d), len = valueAt(ds.docStarts, d + 1) - sep - start;
    const n = Math.min(len, blockSize);
    const doc = ds.tokens.subarray(start, start + Math.min(len, blockSize + 1));
    for (let t = 0; t < n; t++) {
      x[b * blockSize + t] = doc[t];
      if (t + 1 < len) y[b * blockSize + t] = doc[t + 1];
    }
    lengths[b] = n; documents[b] = d;
  }
  return { x, y, lengths, documents };
}
