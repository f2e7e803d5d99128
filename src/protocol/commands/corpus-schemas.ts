// Shapes shared by the corpus, tokenizer and batch commands: an imported file with its status and
// structured issues, corpus statistics (as src/engine/data/stats.ts gathers them), token views.
import * as v from 'valibot';

export const CorpusIssueSchema = v.object({
  file: v.string(),
  line: v.optional(v.number()),
  offset: v.optional(v.number()),
  code: v.string(),
  severity: v.picklist(['error', 'warning']),
  message: v.string(),
});
export type CorpusIssueView = v.InferOutput<typeof CorpusIssueSchema>;

export const CorpusStatsSchema = v.object({
  documents: v.number(),
  characters: v.number(),
  bytes: v.number(),
  tokens: v.nullable(v.number()),
  scripts: v.object({ han: v.number(), latin: v.number(), otherLetters: v.number() }),
  documentsByScript: v.object({ han: v.number(), latin: v.number(), mixed: v.number() }),
  lengthHistogram: v.object({ edges: v.array(v.number()), counts: v.array(v.number()) }),
  labels: v.record(v.string(), v.number()),
  duplicatesDropped: v.number(),
  emptyDropped: v.number(),
});
export type CorpusStatsView = v.InferOutput<typeof CorpusStatsSchema>;

/** One input the person added (a file, or a folder imported as one entry). */
export const CorpusEntrySchema = v.object({
  id: v.string(),
  /** File name as the person knows it (relative path for uploaded folders). */
  name: v.string(),
  /** Absolute path on the engine host's machine (uploads live in the host's per-session folder). */
  path: v.string(),
  source: v.picklist(['sample', 'path', 'upload']),
  status: v.picklist(['importing', 'ok', 'error']),
  /** 0..1 of the bytes read while importing, or of the duplicate checks after reading (phase). */
  progress: v.optional(v.number()),
  /**
   * What an import is doing: reading (absent), or checking the documents deferred past the
   * in-memory duplicate set among themselves after reading (a corpus of millions of documents).
   */
  phase: v.optional(v.picklist(['duplicates'])),
  bytes: v.number(),
  documents: v.number(),
  warnings: v.number(),
  errors: v.number(),
  issues: v.array(CorpusIssueSchema),
  stats: v.nullable(CorpusStatsSchema),
  /** What the import guessed for the person to check, one line each (e.g. a table's text column). */
  notes: v.optional(v.array(v.string())),
  /** Set when status is 'error' and no single issue says why (e.g. the import threw). */
  message: v.optional(v.string()),
});
export type CorpusEntry = v.InferOutput<typeof CorpusEntrySchema>;

/** The tokenizer trained on the current corpus, if any. */
export const TokenizerInfoSchema = v.object({
  kind: v.picklist(['char', 'bpe', 'wordpiece']),
  /** Requested size (char-level takes what the corpus has). */
  requestedVocabSize: v.number(),
  vocabSize: v.number(),
  scheme: v.picklist(['byte-level', 'sentencepiece', 'wordpiece', 'plain']),
  specials: v.array(v.string()),
  /** Documents it was trained on, tokens the corpus has with it, and how long training took. */
  documents: v.number(),
  tokens: v.number(),
  ms: v.number(),
  /** The corpus (entry ids) it was trained on: stale when the corpus changed since. */
  entryIds: v.array(v.string()),
});
export type TokenizerInfo = v.InferOutput<typeof TokenizerInfoSchema>;

/** Tokenizer training under way on the host: training itself, then counting the corpus's tokens with it. */
export const TokenizerTrainingSchema = v.object({
  phase: v.picklist(['train', 'count']),
  /** 0..1 of the phase. */
  fraction: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  /** What it is doing, for a person. */
  message: v.string(),
});
export type TokenizerTraining = v.InferOutput<typeof TokenizerTrainingSchema>;

export const CorpusSnapshotSchema = v.object({
  files: v.array(CorpusEntrySchema),
  /** All imported entries together; null while none is imported. */
  stats: v.nullable(CorpusStatsSchema),
  tokenizer: v.nullable(TokenizerInfoSchema),
  /** Present while a tokenizer trains (tokenizer.train; tokenizer.cancel stops it). */
  training: v.optional(TokenizerTrainingSchema),
  /** False until the session was first filled (the renderer then adds the sample corpus). */
  initialized: v.boolean(),
  /**
   * Which host session and which of its snapshots this is (version grows with every snapshot).
   * Replies and corpus.changed events may reach the renderer in either order: it keeps the newest.
   */
  session: v.string(),
  version: v.pipe(v.number(), v.integer(), v.minValue(0)),
});
export type CorpusSnapshot = v.InferOutput<typeof CorpusSnapshotSchema>;

export const TokenViewSchema = v.object({ id: v.number(), text: v.string(), special: v.optional(v.boolean()) });
export type TokenViewWire = v.InferOutput<typeof TokenViewSchema>;
