// One call from corpus paths to batches, for the CLI and the engine host:
//   import (cached per input files + import options) → tokenizer (given, or trained and cached
//   per corpus + training options) → token shards (cached per corpus + tokenizer) → split.
// A second run over unchanged files with the same settings reuses everything on disk.
// dataDir layout: corpus-<key16>/ (documents.jsonl, manifest.json), tokenizer-<key16>.json,
// tokens-<key16>/ (see shards.ts).
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadTokenizer, saveTokenizer } from '../tokenizers/io';
import type { TrainTokenizerOptions } from '../tokenizers/train';
import { Tokenizer } from '../tokenizers/tokenizer';
import { discover, type ImportOptions } from './import';
import { ImportFailedError, importOrReuse } from './import-cache';
import type { CorpusIssue } from './issues';
import { buildShards, openShards, type TokenDataset } from './shards';
import { splitDataset, type DataSplit, type SplitSpec } from './split';
import type { CorpusManifest } from './store';
import { trainCorpusTokenizer } from './tokenizer-workers';

export interface PrepareDataOptions {
  inputs: string[];
  /** Where corpus, tokenizer and shards are cached (e.g. runs/<name>/data, or a shared cache). */
  dataDir: string;
  import?: Omit<ImportOptions, 'inputs' | 'outDir' | 'onProgress' | 'signal' | 'tokenizer'>;
  /** A ready tokenizer, or how to train one on this corpus. */
  tokenizer: Tokenizer | TrainTokenizerOptions;
  /** Ids between documents (default: <|endoftext|> if present, else encode("\n\n")). */
  separator?: number[];
  split: SplitSpec;
  onProgress?: (p: { stage: 'import' | 'tokenizer' | 'shards'; done: number; total: number }) => void;
  signal?: AbortSignal;
}

export interface PreparedData {
  corpusDir: string;
  manifest: CorpusManifest;
  /** Import issues (also in manifest.issues); empty on a cache hit only if there were none. */
  issues: CorpusIssue[];
  /** The import's summary for a person (see summarizeImport), the same on a cache hit. */
  importSummary: string[];
  tokenizer: Tokenizer;
  shardsDir: string;
  cached: { corpus: boolean; tokenizer: boolean; shards: boolean };
  dataset: TokenDataset;
  train: DataSplit;
  val: DataSplit;
}

const key16 = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

export async function prepareData(opts: PrepareDataOptions): Promise<PreparedData> {
  const dataDir = resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true });
  const files = await discover(opts.inputs);
  // v2: imports split long lines, remove control characters and keep a report; v1 caches are redone.
  const corpusDir = join(dataDir, `corpus-${key16({ v: 2, files, inputs: opts.inputs.map((p) => resolve(p)), options: opts.import ?? {} })}`);

  let imported;
  try {
    imported = await importOrReuse({
      ...opts.import, inputs: opts.inputs, outDir: corpusDir, signal: opts.signal,
      onProgress: (p) => opts.onProgress?.({ stage: 'import', done: p.bytesRead, total: p.totalBytes }),
    });
  } catch (err) {
    if (err instanceof ImportFailedError) throw new CorpusImportError(err.issues, err.summary);
    throw err;
  }
  const manifest: CorpusManifest = imported.manifest;
  const corpusCached = imported.cached;

  let tokenizer: Tokenizer;
  let tokenizerCached = true;
  if (opts.tokenizer instanceof Tokenizer) tokenizer = opts.tokenizer;
  else {
    const path = join(dataDir, `tokenizer-${key16({ v: 1, corpus: manifest.contentHash, options: opts.tokenizer })}.json`);
    try { tokenizer = await loadTokenizer(path); } catch {
      tokenizerCached = false;
      tokenizer = await trainCorpusTokenizer({ corpusDirs: [corpusDir] }, opts.tokenizer, {
        expectedChars: manifest.stats.characters, signal: opts.signal,
        onProgress: (fraction) => opts.onProgress?.({ stage: 'tokenizer', done: fraction, total: 1 }),
      });
      saveTokenizer(tokenizer, path);
    }
  }

  const built = await buildShards({
    corpusDir, tokenizer, cacheDir: dataDir, separator: opts.separator, signal: opts.signal,
    onProgress: (p) => opts.onProgress?.({ stage: 'shards', done: p.documents, total: p.totalDocuments }),
  });
  const dataset = await openShards(built.dir);
  const { train, val } = splitDataset(dataset, opts.split);
  return {
    corpusDir, manifest, issues: manifest.issues, importSummary: imported.summary, tokenizer, shardsDir: built.dir,
    cached: { corpus: corpusCached, tokenizer: tokenizerCached, shards: built.cacheHit }, dataset, train, val,
  };
}

/** Nothing could be imported; `issues` says why, file by file, and `summary` with the numbers. */
export class CorpusImportError extends Error {
  constructor(readonly issues: CorpusIssue[], readonly summary: string[] = []) {
    super(`no documents could be imported:\n${issues.map((i) => `  ${i.file}: ${i.message}`).join('\n')}${summary.length ? `\n${summary.join('\n')}` : ''}`);
    this.name = 'CorpusImportError';
  }
}
