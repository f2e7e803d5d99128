// Token shards: an imported corpus tokenized once into flat binary files, cached per
// (corpus content hash, tokenizer hash, separator). A second build with the same inputs finds
// meta.json and returns at once; any change gives a new key and a new directory.
//
// <cacheDir>/tokens-<key16>/
//   meta.json          ShardMeta
//   tokens-00000.bin   little-endian uint16 (vocab ≤ 65535) or uint32 token ids, in stream order:
//                      doc0, separator, doc1, separator, … (documents in corpus order)
//   docs.bin           uint64 LE start offset of every document in the stream, plus the end
//                      (numDocuments + 1 entries); doc i spans [start[i], start[i+1]) including
//                      its trailing separator
//   labels.bin         int32 LE index into meta.labels per document, -1 for none (if any labels)
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeJsonAtomic } from '../runstore/atomic';
import { TimeSlicer } from '../tokenizers/time-slice';
import type { ShardTokenizer } from './pair-tokenizer';
import { EOS } from '../tokenizers/specials';
import { loadManifest, publishDir, readDocuments, tempDirFor } from './store';
import { RangedTokenStore, type RangedStoreOptions, type TokenStore } from './token-store';
import { defaultShardWorkers, encodeWithWorkers, shardWorkerScript, type WorkerEncodeResult } from './shard-workers';

export const SHARD_FORMAT_VERSION = 1;

export interface ShardMeta {
  version: number;
  key: string;
  corpusHash: string;
  tokenizerHash: string;
  dtype: 'uint16' | 'uint32';
  vocabSize: number;
  numTokens: number;
  numDocuments: number;
  separator: number[];
  shards: { file: string; tokens: number }[];
  labels: string[];
}

export interface BuildShardsOptions {
  corpusDir: string;
  /** A tokenizer, or a PairTokenizer (a seq2seq run's separate source and target tokenizers). */
  tokenizer: ShardTokenizer;
  /** Where token directories live (a run's data/ folder or a shared cache). */
  cacheDir: string;
  /** Ids between documents: default [<|endoftext|>] if the tokenizer has it, else encode("\n\n"). */
  separator?: number[];
  /** Tokens per shard file (default 2^26). */
  shardTokens?: number;
  /**
   * Worker threads that encode (shard-workers.ts): 0 encodes in this thread, time-sliced.
   * Default: defaultShardWorkers() for a corpus of at least `minWorkerBytes`, where worker
   * threads can run; the shards are the same bytes either way.
   */
  workers?: number;
  /** Below this size of documents.jsonl the default is this thread (default 4 MB: starting workers costs ~0.3 s). */
  minWorkerBytes?: number;
  onProgress?: (p: { documents: number; totalDocuments: number; tokens: number }) => void;
  signal?: AbortSignal;
}

export interface BuildShardsResult {
  dir: string;
  meta: ShardMeta;
  cacheHit: boolean;
}

export function defaultSeparator(tok: ShardTokenizer): number[] {
  const eos = tok.tokenToId(EOS);
  return eos !== undefined ? [eos] : tok.encode('\n\n');
}

async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += (await fh.write(bytes, off, bytes.length - off)).bytesWritten;
}

export async function buildShards(opts: BuildShardsOptions): Promise<BuildShardsResult> {
  const manifest = await loadManifest(opts.corpusDir);
  const tok = opts.tokenizer;
  const separator = opts.separator ?? defaultSeparator(tok);
  const key = createHash('sha256').update(JSON.stringify({ v: SHARD_FORMAT_VERSION, corpus: manifest.contentHash, tokenizer: tok.hash, separator })).digest('hex');
  const dir = resolve(opts.cacheDir, `tokens-${key.slice(0, 16)}`);
  try {
    const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as ShardMeta;
    if (meta.key === key && meta.version === SHARD_FORMAT_VERSION) return { dir, meta, cacheHit: true };
  } catch { /* not cached yet */ }

  await mkdir(opts.cacheDir, { recursive: true });
  const tmp = tempDirFor(dir);
  await mkdir(tmp);
  try {
    const dtype = tok.vocabSize <= 65535 ? 'uint16' : 'uint32';
    const shardTokens = opts.shardTokens ?? 1 << 26;
    const docsPath = join(opts.corpusDir, 'documents.jsonl');
    const workers = opts.workers ?? ((await stat(docsPath)).size >= (opts.minWorkerBytes ?? 4e6) ? defaultShardWorkers() : 0);
    const script = workers > 0 ? shardWorkerScript() : null;
    const encoded = script
      ? await encodeWithWorkers({ docsPath, tokenizer: tok, separator, dtype, shardTokens, dir: tmp, workers, script, totalDocuments: manifest.stats.documents, onProgress: opts.onProgress, signal: opts.signal })
      : await encodeInThread(opts, tmp, separator, dtype, shardTokens, manifest.stats.documents);
    const { shards, starts, docLabels, labels, total } = encoded;
    const docFh = await open(join(tmp, 'docs.bin'), 'w');
    try { await writeAll(docFh, new Uint8Array(BigUint64Array.from(starts, (s) => BigInt(s)).buffer)); } finally { await docFh.close(); }
    if (labels.length > 0) {
      const lf = await open(join(tmp, 'labels.bin'), 'w');
      try { await writeAll(lf, new Uint8Array(Int32Array.from(docLabels).buffer)); } finally { await lf.close(); }
    }
    const meta: ShardMeta = {
      version: SHARD_FORMAT_VERSION, key, corpusHash: manifest.contentHash, tokenizerHash: tok.hash, dtype,
      vocabSize: tok.vocabSize, numTokens: total, numDocuments: starts.length - 1, separator, shards, labels,
    };
    writeJsonAtomic(join(tmp, 'meta.json'), meta);
    await publishDir(tmp, dir);
    opts.onProgress?.({ documents: meta.numDocuments, totalDocuments: meta.numDocuments, tokens: total });
    return { dir, meta, cacheHit: false };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Encodes every document in this thread, yielding to the event loop between documents (TimeSlicer). */
async function encodeInThread(
  opts: BuildShardsOptions, tmp: string, separator: number[], dtype: 'uint16' | 'uint32', shardTokens: number, totalDocuments: number,
): Promise<WorkerEncodeResult> {
  const tok = opts.tokenizer;
  const Arr = dtype === 'uint16' ? Uint16Array : Uint32Array;
  const shards: ShardMeta['shards'] = [];
  const buf = new Arr(Math.min(shardTokens, 1 << 20));
  let fill = 0;
  let fh: FileHandle | null = null;
  let inShard = 0;
  const flushBuf = async () => {
    if (fill === 0) return;
    if (!fh) { const file = `tokens-${String(shards.length).padStart(5, '0')}.bin`; fh = await open(join(tmp, file), 'w'); shards.push({ file, tokens: 0 }); }
    await writeAll(fh, new Uint8Array(buf.buffer, 0, fill * buf.BYTES_PER_ELEMENT));
    shards[shards.length - 1].tokens += fill; inShard += fill; fill = 0;
    if (inShard >= shardTokens) { await fh.close(); fh = null; inShard = 0; }
  };
  const push = async (ids: number[]) => {
    for (const id of ids) {
      if (fill === buf.length || inShard + fill >= shardTokens) await flushBuf();
      buf[fill++] = id;
    }
  };
  const starts: number[] = [0];
  const labelIndex = new Map<string, number>();
  const docLabels: number[] = [];
  let total = 0;
  const slicer = new TimeSlicer();
  try {
    for await (const doc of readDocuments(opts.corpusDir)) {
      opts.signal?.throwIfAborted();
      const ids = tok.encode(doc.text);
      await push(ids); await push(separator);
      total += ids.length + separator.length;
      starts.push(total);
      if (doc.label !== undefined && !labelIndex.has(doc.label)) labelIndex.set(doc.label, labelIndex.size);
      docLabels.push(doc.label === undefined ? -1 : labelIndex.get(doc.label)!);
      if (starts.length % 1000 === 0) opts.onProgress?.({ documents: starts.length - 1, totalDocuments, tokens: total });
      await slicer.tick();
    }
    await flushBuf();
  } finally {
    if (fh) await (fh as FileHandle).close();
  }
  return { shards, starts, docLabels, labels: [...labelIndex.keys()], total };
}

/** A token directory: the stream read by range from its files (token-store.ts), document offsets and labels in memory. */
export interface TokenDataset {
  meta: ShardMeta;
  tokens: TokenStore;
  /** numDocuments + 1 stream offsets (exact below 2^53). */
  docStarts: Float64Array;
  /** Per-document index into meta.labels, -1 for none; null when the corpus has no labels. */
  labels: Int32Array | null;
}

/**
 * Opens a token directory without reading its tokens: memory is the per-document offsets and
 * labels (12 bytes a document) plus the store's block cache, whatever the number of tokens.
 */
export async function openShards(dir: string, store: RangedStoreOptions = {}): Promise<TokenDataset> {
  const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as ShardMeta;
  if (meta.version !== SHARD_FORMAT_VERSION) throw new Error(`shards ${dir}: version ${meta.version}, expected ${SHARD_FORMAT_VERSION}`);
  const width = meta.dtype === 'uint16' ? 2 : 4;
  for (const s of meta.shards) {
    const size = (await stat(join(dir, s.file))).size;
    if (size !== s.tokens * width) throw new Error(`shards ${dir}: ${s.file} has ${size} bytes, expected ${s.tokens * width}`);
  }
  const tokens = new RangedTokenStore(dir, meta.shards, meta.dtype, store);
  const docBytes = await readFile(join(dir, 'docs.bin'));
  const big = new BigUint64Array(docBytes.buffer.slice(docBytes.byteOffset, docBytes.byteOffset + docBytes.length));
  const docStarts = Float64Array.from(big, (b) => Number(b));
  let labels: Int32Array | null = null;
  if (meta.labels.length > 0) {
    const lb = await readFile(join(dir, 'labels.bin'));
    labels = new Int32Array(lb.buffer.slice(lb.byteOffset, lb.byteOffset + lb.length));
  }
  return { meta, tokens, docStarts, labels };
}

/** Token ids of document i, without its separator. */
export function documentTokens(ds: TokenDataset, i: number): Uint16Array | Uint32Array {
  return ds.tokens.subarray(ds.docStarts[i], ds.docStarts[i + 1] - ds.meta.separator.length);
}
