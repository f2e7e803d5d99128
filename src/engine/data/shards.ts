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
//   split-<key16>.bin  a split's ranges and documents, written on first use (split-file.ts)
// Nothing per document is held in memory while building or reading: docs.bin and labels.bin are
// written through fixed buffers (number-writer.ts) and read by block (number-list.ts).
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeJsonAtomic } from '../runstore/atomic';
import { TimeSlicer } from '../tokenizers/time-slice';
import type { ShardTokenizer } from './pair-tokenizer';
import { EOS } from '../tokenizers/specials';
import { loadManifest, publishDir, readDocuments, tempDirFor } from './store';
import { RangedTokenStore, type RangedStoreOptions, type TokenStore } from './token-store';
import { RangedNumbers, valueAt, type NumberList, type RangedNumbersOptions } from './number-list';
import { NumberWriter } from './number-writer';
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
    // docs.bin and labels.bin are written during encoding; labels.bin only stays if a document has a label.
    const { shards, documents, labels, total } = encoded;
    if (labels.length === 0) await rm(join(tmp, 'labels.bin'), { force: true });
    const meta: ShardMeta = {
      version: SHARD_FORMAT_VERSION, key, corpusHash: manifest.contentHash, tokenizerHash: tok.hash, dtype,
      vocabSize: tok.vocabSize, numTokens: total, numDocuments: documents, separator, shards, labels,
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
  const starts = new NumberWriter(join(tmp, 'docs.bin'), 'uint64');
  const docLabels = new NumberWriter(join(tmp, 'labels.bin'), 'int32');
  starts.push(0);
  const labelIndex = new Map<string, number>();
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
      if (docLabels.count % 1000 === 0) opts.onProgress?.({ documents: docLabels.count, totalDocuments, tokens: total });
      await slicer.tick();
    }
    await flushBuf();
  } finally {
    if (fh) await (fh as FileHandle).close();
    starts.close(); docLabels.close();
  }
  return { shards, documents: docLabels.count, labels: [...labelIndex.keys()], total };
}

/**
 * A token directory: the stream, document offsets and labels read by range from its files
 * (token-store.ts, number-list.ts). Tests and small tools build one in memory from typed arrays.
 */
export interface TokenDataset {
  meta: ShardMeta;
  tokens: TokenStore;
  /** numDocuments + 1 stream offsets (exact below 2^53). */
  docStarts: NumberList;
  /** Per-document index into meta.labels, -1 for none; null when the corpus has no labels. */
  labels: NumberList | null;
  /** The token directory it was opened from: splits are computed once and kept there (split-file.ts). Absent for one built in memory. */
  files?: { dir: string; numbers: RangedNumbersOptions };
}

export interface OpenShardsOptions extends RangedStoreOptions {
  /** Block reads of docs.bin, labels.bin and split files. */
  numbers?: RangedNumbersOptions;
}

/**
 * Opens a token directory without reading its tokens, offsets or labels: memory is block caches
 * (the token store's, 8 MiB by default, and 2 MiB for each list of numbers), whatever the corpus.
 */
export async function openShards(dir: string, store: OpenShardsOptions = {}): Promise<TokenDataset> {
  const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as ShardMeta;
  if (meta.version !== SHARD_FORMAT_VERSION) throw new Error(`shards ${dir}: version ${meta.version}, expected ${SHARD_FORMAT_VERSION}`);
  const width = meta.dtype === 'uint16' ? 2 : 4;
  for (const s of meta.shards) {
    const size = (await stat(join(dir, s.file))).size;
    if (size !== s.tokens * width) throw new Error(`shards ${dir}: ${s.file} has ${size} bytes, expected ${s.tokens * width}`);
  }
  const tokens = new RangedTokenStore(dir, meta.shards, meta.dtype, store);
  const numbers = store.numbers ?? {};
  const docsPath = join(dir, 'docs.bin');
  await expectSize(docsPath, (meta.numDocuments + 1) * 8, `${meta.numDocuments + 1} uint64 offsets`);
  const docStarts = new RangedNumbers(docsPath, 'uint64', meta.numDocuments + 1, numbers);
  const first = valueAt(docStarts, 0), last = valueAt(docStarts, meta.numDocuments);
  if (first !== 0 || last !== meta.numTokens) throw new Error(`shards ${dir}: ${docsPath} runs from ${first} to ${last}, expected 0 to ${meta.numTokens} (meta.json); the file is damaged`);
  let labels: NumberList | null = null;
  if (meta.labels.length > 0) {
    const labelsPath = join(dir, 'labels.bin');
    await expectSize(labelsPath, meta.numDocuments * 4, `${meta.numDocuments} int32 labels`);
    labels = new RangedNumbers(labelsPath, 'int32', meta.numDocuments, numbers);
  }
  return { meta, tokens, docStarts, labels, files: { dir, numbers } };
}

async function expectSize(path: string, bytes: number, what: string): Promise<void> {
  let size: number;
  try { size = (await stat(path)).size; } catch { throw new Error(`${path} is missing (${what} expected); the token directory is incomplete`); }
  if (size !== bytes) throw new Error(`${path} has ${size} bytes, expected ${bytes} (${what}); the file is truncated or damaged`);
}

/** Token ids of document i, without its separator. */
export function documentTokens(ds: TokenDataset, i: number): Uint16Array | Uint32Array {
  return ds.tokens.subarray(valueAt(ds.docStarts, i), valueAt(ds.docStarts, i + 1) - ds.meta.separator.length);
}
