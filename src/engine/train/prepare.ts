// Data for a run: import the corpus (cached by its files' paths, sizes and times), train the
// tokenizer (or take the run's own when resuming), tokenize into shards (cached per corpus and
// tokenizer by the shard builder), then split train / validation.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { TrainOptions } from '../config/train-config';
import { trainableObjective } from '../objectives/index.ts';
import { T5_SENTINELS } from '../objectives/t5-span.ts';
import { importOrReuse, type CachedImport } from '../data/import-cache';
import { buildShards, openShards, splitDataset, type BuildShardsResult, type CorpusIssue, type CorpusManifest, type DataSplit, type TokenDataset } from '../data';
import { PairTokenizer } from '../data/pair-tokenizer';
import type { ScriptCounts } from '../data/stats';
import { tokenizerSampleEvery } from '../data/tokenizer-sample';
import { trainCorpusTokenizer } from '../data/tokenizer-workers';
import { loadTokenizer, saveTokenizer, EOS, type Tokenizer, type TrainTokenizerOptions } from '../tokenizers';

/** 'checkpoint': what loading a checkpoint initialised or left out (a new head, tensors it had no place for). */
export type PreparePhase = 'import' | 'tokenizer' | 'shards' | 'split' | 'checkpoint';

export interface PrepareProgress {
  phase: PreparePhase;
  message: string;
  /** 0..1 when known. */
  fraction?: number;
}

/** What training reads: the tokenizer(s), the token shards and their split. */
export interface RunData {
  /** The run's tokenizer: a seq2seq run's source side when each side has its own. */
  tokenizer: Tokenizer;
  /** A seq2seq run's target tokenizer when the sides have separate ones (sharedTokenizer false); absent: `tokenizer` for both. */
  targetTokenizer?: Tokenizer;
  /** The corpus's letters by script (the default attention probes follow its language). */
  scripts: ScriptCounts;
  shards: BuildShardsResult;
  dataset: TokenDataset;
  train: DataSplit;
  val: DataSplit;
}

/** RunData prepared from the corpus, with what its import found. */
export interface PreparedData extends RunData {
  corpusDir: string;
  manifest: CorpusManifest;
  /** Problems found while importing (files or lines skipped). */
  issues: CorpusIssue[];
}

export interface PrepareOptions {
  /** Where imported corpora and token shards are cached (default <runsDir>/.cache). */
  cacheDir?: string;
  /** Use this tokenizer instead of training one (a resumed run keeps its own). */
  tokenizer?: Tokenizer;
  /** The same for the target side, when the run has one tokenizer per side. */
  targetTokenizer?: Tokenizer;
  onProgress?: (p: PrepareProgress) => void;
  /** The import's summary, as soon as the corpus is imported (or found in the cache). */
  onImported?: (imported: CachedImport) => void;
  /** Refuse an import with any warning (see importOrReuse). */
  strict?: boolean;
  signal?: AbortSignal;
}

/** Identifies the import inputs without reading them: every file's path, size and mtime. */
async function inputsKey(o: TrainOptions): Promise<string> {
  const entries: string[] = [];
  const walk = async (p: string): Promise<void> => {
    const st = await stat(p).catch(() => null);
    if (!st) { entries.push(`${p}:missing`); return; }
    if (st.isDirectory()) {
      for (const name of (await readdir(p)).sort()) if (!name.startsWith('.')) await walk(join(p, name));
    } else entries.push(`${p}:${st.size}:${st.mtimeMs}`);
  };
  for (const input of [...o.corpus, ...o.targetCorpus]) await walk(resolve(input));
  // v2: imports split long lines, remove control characters and keep a report; v1 caches are redone.
  const pairs = pairsOf(o);
  const targets = o.targetCorpus.length ? { targets: o.targetCorpus.map((p) => resolve(p)) } : {};
  return createHash('sha256').update(JSON.stringify({ v: 2, entries, textField: o.textField, documents: o.documents, dedup: o.dedup, ...(pairs ? { pairs } : {}), ...targets })).digest('hex').slice(0, 16);
}

/** Paired import for objectives that read pairs (seq2seq): the chosen columns, undefined = the first two. */
function pairsOf(o: TrainOptions): { source: string | undefined; target: string | undefined } | null {
  if (!trainableObjective(o.objective).paired) return null;
  return { source: o.sourceField || undefined, target: o.targetField || undefined };
}

/**
 * Special tokens as the objective asks: GPT's <|endoftext|> (none for char, as nanoGPT), BERT's
 * five, or BERT's five and T5's 100 sentinels (span corruption).
 */
export function tokenizerOptionsFor(o: Pick<TrainOptions, 'objective' | 'tokenizer' | 'vocabSize'>): TrainTokenizerOptions {
  const kind = trainableObjective(o.objective).specials;
  const bert = { bert: true, eos: false, sentinels: kind === 't5' ? T5_SENTINELS : 0 };
  if (o.tokenizer === 'char') return { kind: 'char', vocabSize: 1_000_000, specials: kind === 'gpt' ? [] : bert };
  if (o.tokenizer === 'bpe') return { kind: 'bpe', vocabSize: o.vocabSize, specials: kind === 'gpt' ? [EOS] : bert };
  return { kind: 'wordpiece', vocabSize: o.vocabSize, specials: bert };
}

/** The caller's progress sink, with fractions kept to 0..1 (the wire refuses others). */
function reporter(opts: PrepareOptions): (p: PrepareProgress) => void {
  const sink = opts.onProgress;
  if (!sink) return () => {};
  return (p) => sink(p.fraction === undefined ? p : { ...p, fraction: Math.min(1, Math.max(0, p.fraction)) });
}

/** Import the run's corpus, or reuse the cached import of the same files and options. */
export async function importForRun(o: TrainOptions, opts: PrepareOptions = {}): Promise<CachedImport> {
  if (o.corpus.length === 0) throw new Error('No corpus given: pass --corpus <files or folders>');
  const cacheDir = resolve(opts.cacheDir ?? join(o.runsDir, '.cache'));
  const report = reporter(opts);
  const corpusDir = join(cacheDir, `corpus-${await inputsKey(o)}`);
  if (!existsSync(join(corpusDir, 'manifest.json'))) report({ phase: 'import', message: `importing ${o.corpus.join(', ')}`, fraction: 0 });
  const imported = await importOrReuse({
    inputs: o.corpus, outDir: corpusDir, textField: o.textField, textDocuments: o.documents, dedup: o.dedup, strict: opts.strict, pairs: pairsOf(o), targetFiles: o.targetCorpus,
    // CSV/TSV: an explicit column, else the importer looks for a usual name (text, sentence, review …)
    textColumn: o.textField === 'text' ? undefined : o.textField, signal: opts.signal,
    // After reading, documents past the in-memory dedup set are checked among themselves (dedup.ts).
    onProgress: (p) => report({
      phase: 'import', message: p.dedup ? `checking duplicates after reading: ${Math.round((100 * p.dedup.done) / p.dedup.total)}%` : `importing ${p.file}`,
      fraction: p.totalBytes ? p.bytesRead / p.totalBytes : undefined,
    }),
  });
  if (imported.cached) report({ phase: 'import', message: `corpus already imported (${imported.manifest.stats.documents} documents)`, fraction: 1 });
  opts.onImported?.(imported);
  return imported;
}

export async function prepareData(o: TrainOptions, opts: PrepareOptions = {}): Promise<PreparedData> {
  if (o.corpus.length === 0) throw new Error('No corpus given: pass --corpus <files or folders>');
  const cacheDir = resolve(opts.cacheDir ?? join(o.runsDir, '.cache'));
  const report = reporter(opts);

  const { corpusDir, manifest } = await importForRun(o, opts);
  const issues = manifest.issues;

  const separate = separateTokenizers(o);
  const tokenizer = opts.tokenizer ?? (await tokenizerForRun(o, manifest, corpusDir, cacheDir, separate ? 'source' : 'both', report, opts.signal));
  const targetTokenizer = separate ? (opts.targetTokenizer ?? (await tokenizerForRun(o, manifest, corpusDir, cacheDir, 'target', report, opts.signal))) : undefined;
  const shardTokenizer = targetTokenizer ? new PairTokenizer(tokenizer, targetTokenizer) : tokenizer;
  const vocab = targetTokenizer ? `source ${tokenizer.vocabSize}, target ${targetTokenizer.vocabSize}` : `${tokenizer.vocabSize}`;
  report({ phase: 'shards', message: `tokenizing (${tokenizer.kind}, ${vocab} tokens)`, fraction: 0 });
  const shards = await buildShards({
    corpusDir, tokenizer: shardTokenizer, cacheDir: join(cacheDir, 'shards'), signal: opts.signal,
    // Whole files are streamed as they are (nanoGPT's reference stream is the file, byte for byte).
    ...(o.documents === 'file' ? { separator: [] } : {}),
    onProgress: (p) => report({ phase: 'shards', message: `tokenized ${p.documents} of ${p.totalDocuments} documents`, fraction: p.totalDocuments ? p.documents / p.totalDocuments : undefined }),
  });
  const dataset = await openShards(shards.dir);
  const { train, val } = splitForRun(dataset, o);
  report({ phase: 'split', message: `${train.tokens} training and ${val.tokens} validation tokens`, fraction: 1 });
  return { corpusDir, manifest, issues, tokenizer, ...(targetTokenizer ? { targetTokenizer } : {}), scripts: manifest.stats.scripts, shards, dataset, train, val };
}

/** Whether the run trains one tokenizer per side (a paired objective with sharedTokenizer false). */
export function separateTokenizers(o: Pick<TrainOptions, 'objective' | 'sharedTokenizer'>): boolean {
  return !o.sharedTokenizer && trainableObjective(o.objective).paired === true;
}

/**
 * The run's tokenizer trained on the corpus ('both': whole documents, a joint tokenizer for
 * paired rows) or on one side of its pairs, cached per (corpus content, trainer options, side):
 * a second run starts at once.
 */
async function tokenizerForRun(o: TrainOptions, manifest: CorpusManifest, corpusDir: string, cacheDir: string, side: 'both' | 'source' | 'target', report: (p: PrepareProgress) => void, signal?: AbortSignal): Promise<Tokenizer> {
  const tokOptions = tokenizerOptionsFor(o);
  const every = tokenizerSampleEvery(o, manifest.stats.bytes);
  const key = createHash('sha256').update(JSON.stringify({ v: 1, corpus: manifest.contentHash, tokOptions, ...(every > 1 ? { every } : {}), ...(side !== 'both' ? { side } : {}) })).digest('hex').slice(0, 16);
  const cached = join(cacheDir, 'tokenizers', `${o.tokenizer}-${key}.json`);
  const which = side === 'both' ? '' : ` ${side}`;
  if (existsSync(cached)) {
    const tokenizer = await loadTokenizer(cached);
    report({ phase: 'tokenizer', message: `${o.tokenizer}${which} tokenizer from the cache (${tokenizer.vocabSize} tokens)` });
    return tokenizer;
  }
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  const sample = every > 1 ? ` on 1 document in ${every} (about ${mb(manifest.stats.bytes / every)} of ${mb(manifest.stats.bytes)} MB; --tokenizerSampleMB ${o.tokenizerSampleMB})` : '';
  const onSide = side === 'both' ? '' : ` on the ${side} side of each pair`;
  const message = `training a ${o.tokenizer}${which} tokenizer${onSide}${sample}`;
  report({ phase: 'tokenizer', message, fraction: 0 });
  // A side is about half of each pair's characters: the fraction's estimate of what is left to read.
  const expectedChars = (manifest.stats.characters / every) * (side === 'both' ? 1 : 0.5);
  // Words are counted on worker threads where the host has them (tokenizer-workers.ts).
  const tokenizer = await trainCorpusTokenizer({ corpusDirs: [corpusDir], every, side }, tokOptions, {
    expectedChars, signal, onProgress: (fraction) => report({ phase: 'tokenizer', message, fraction }),
  });
  await mkdir(dirname(cached), { recursive: true });
  saveTokenizer(tokenizer, cached);
  return tokenizer;
}

/** The run's train / validation split of its token shards; refuses a split too short for one row. */
export function splitForRun(dataset: TokenDataset, o: Pick<TrainOptions, 'split' | 'valFraction' | 'seed' | 'blockSize'>): { train: DataSplit; val: DataSplit } {
  const { train, val } = splitDataset(dataset, o.split === 'tail' ? { kind: 'stream', valFraction: o.valFraction } : { kind: 'documents', valFraction: o.valFraction, seed: o.seed });
  const need = o.blockSize + 1;
  for (const s of [train, val]) {
    if (s.tokens < need) {
      throw new Error(
        `The ${s.name} split has ${s.tokens} tokens, fewer than blockSize + 1 = ${need}: use more text, a smaller --blockSize` +
          (o.split === 'document' ? ", or --split tail (documents are few or short)" : ', or a different --valFraction'),
      );
    }
  }
  return { train, val };
}
