// The data pipeline's public surface: import → (train a tokenizer) → shards → split → batches.
export { importCorpus, normalizeText, type ImportOptions, type ImportProgress, type ImportResult } from './import';
export { formatIssue, type CorpusIssue, type CorpusIssueCode } from './issues';
export { issueTotals, summarizeImport, DROP_REASONS, type DropReason, type FileReport, type ImportReport, type StoredImportReport } from './import-report';
export { importOrReuse, ImportFailedError, type CachedImport } from './import-cache';
export { loadManifest, readDocuments, readTexts, type CorpusDocument, type CorpusManifest, type CorpusFileEntry } from './store';
export type { CorpusStats, ScriptCounts } from './stats';
export { buildShards, openShards, documentTokens, defaultSeparator, type ShardMeta, type TokenDataset, type BuildShardsOptions, type BuildShardsResult } from './shards';
export { splitDataset, type SplitSpec, type DataSplit } from './split';
export { numberChunks, RangedNumbers, valueAt, type NumberList, type RangedNumbersOptions } from './number-list';
export { copyRange, copyRangeOf, forEachRangeOf, sampleBatch, sampleDocumentBatch, type Batch, type DocumentBatch } from './sampler';
export { batchRng, mulberry32, mixSeed, type Rng } from './rng';
export { benchImport, type ImportBenchResult } from './bench';
export { SAMPLE_CORPUS_FILES } from './sample-corpus';
export { prepareData, CorpusImportError, type PrepareDataOptions, type PreparedData } from './prepare';
export { discover, type FoundFile } from './import';
export { splitSentences, sentenceEnds } from './sentences';
export { memoryUnits, sentencesStartingIn, textUnits, tokenText, type TextUnits } from './text-units';
