// Train a tokenizer on a corpus with a user-chosen vocabulary size and write it as tokenizer.json.
//   char      : the (vocabSize - specials) most frequent characters, sorted by code point
//               (with no specials this is exactly nanoGPT's sorted(set(text)) vocabulary)
//   bpe       : specials, the 256 byte symbols, then learned merges (GPT-2 byte-level BPE)
//   wordpiece : specials, the most frequent characters (word-initial and "##" forms), then
//               merged pieces (BERT; each Chinese character is its own word)
// Texts are streamed: only word counts are kept (bounded by the number of distinct words, and
// by `maxTrainChars` of input, default 50 M characters).
import { BYTE_TO_CHAR } from './byte-level';
import { learnMerges, type MergeWord } from './merge-trainer';
import { specialTokenList, UNK, type SpecialTokenOptions } from './specials';
import { TimeSlicer } from './time-slice';
import { Tokenizer } from './tokenizer';
import { bpeTokenizerJson, charTokenizerJson, wordPieceTokenizerJson, type TokenizerJson, type TokenizerKind } from './tokenizer-json';
import { WordCounter, type CountSpec } from './word-count';

export interface TrainTokenizerOptions {
  kind: TokenizerKind;
  /** Total vocabulary including specials. */
  vocabSize: number;
  /** Which specials (default: all BERT ones, <|endoftext|>, 16 sentinels); `[]` for none. */
  specials?: SpecialTokenOptions | string[];
  /** WordPiece only: lowercase + strip accents like bert-base-uncased (default false). */
  lowercase?: boolean;
  /** Stop reading input after this many characters (default 50,000,000). */
  maxTrainChars?: number;
}

/** How a caller follows (and stops) training; kept apart from the options, which key the cache. */
export interface TrainTokenizerHooks {
  /** 0..1, never decreasing, 1 at the end; at most about 200 calls. */
  onProgress?: (fraction: number) => void;
  /** Characters the texts will yield (e.g. the corpus's, or its sample's): without it the
   *  counting pass reports nothing until it ends. */
  expectedChars?: number;
  signal?: AbortSignal;
}

/**
 * Share of the fraction given to counting words; merges (done / planned) take the rest. Measured
 * (vocab 8000): counting took 34% of BPE's time and 88% of WordPiece's on 16 MB of Shakespeare +
 * Hongloumeng paragraphs, 50% and 64% on tinyshakespeare alone. The first merges are the slow
 * ones (they touch the most words), so the fraction runs ahead early in the merge phase.
 */
export const COUNT_SHARE = { char: 1, bpe: 0.4, wordpiece: 0.75 } as const;

/** Reports a fraction only when it grew by half a percent (or reached 1), never backwards. */
class FractionReporter {
  private last = -1;
  constructor(private readonly sink: ((f: number) => void) | undefined) {}
  report(f: number): void {
    const x = Math.min(1, Math.max(0, f));
    if (!this.sink || x <= this.last || (x < 1 && x - this.last < 0.005 && this.last >= 0)) return;
    this.last = x;
    this.sink(x);
  }
}

export async function trainTokenizer(
  texts: Iterable<string> | AsyncIterable<string>, opts: TrainTokenizerOptions, hooks: TrainTokenizerHooks = {},
): Promise<Tokenizer> {
  return trainTokenizerWith((task) => countWords(texts, task, hooks), opts, hooks);
}

/** What a counting pass is asked to do (see trainTokenizerWith). */
export interface CountTask {
  spec: CountSpec;
  /** Stop after the text that brings the characters read to this many (maxTrainChars). */
  limit: number;
  /** 0..1 of the pass. */
  onFraction: (f: number) => void;
}

/**
 * Training with the counting pass done by `count` (e.g. on worker threads, data/tokenizer-workers.ts):
 * it must return the counts one WordCounter would have over the texts, in the same order, up to
 * and including the text at which `limit` characters are reached.
 */
export async function trainTokenizerWith(
  count: (task: CountTask) => Promise<Map<string, number>>, opts: TrainTokenizerOptions, hooks: TrainTokenizerHooks = {},
): Promise<Tokenizer> {
  const specials = trainerSpecials(opts);
  const progress = new FractionReporter(hooks.onProgress);
  progress.report(0);
  const share = COUNT_SHARE[opts.kind];
  const counts = await count({
    spec: { kind: opts.kind, specials, lowercase: opts.lowercase ?? false },
    limit: opts.maxTrainChars ?? 50_000_000,
    onFraction: (f) => progress.report(share * f),
  });
  hooks.signal?.throwIfAborted();
  // Merges: the fraction of the planned merges done (training may stop early when no pair repeats).
  const merged: MergeProgress = (done, planned) => {
    hooks.signal?.throwIfAborted();
    progress.report(share + (1 - share) * (planned > 0 ? done / planned : 1));
  };
  const json = opts.kind === 'char' ? trainChar(counts, opts.vocabSize, specials)
    : opts.kind === 'bpe' ? await trainBpe(counts, opts.vocabSize, specials, merged)
      : await trainWordPiece(counts, opts.vocabSize, specials, opts.lowercase ?? false, merged);
  progress.report(1);
  return new Tokenizer(json);
}

/** The specials a trainer puts first (WordPiece always has [UNK]); checks the vocabulary size against them. */
function trainerSpecials(opts: TrainTokenizerOptions): string[] {
  const specials = Array.isArray(opts.specials) ? [...opts.specials] : specialTokenList(opts.specials);
  if (opts.kind === 'wordpiece' && !specials.includes(UNK)) specials.splice(0, 0, UNK);
  if (new Set(specials).size !== specials.length) throw new Error('trainTokenizer: duplicate special tokens');
  if (!Number.isInteger(opts.vocabSize) || opts.vocabSize <= specials.length) {
    throw new Error(`trainTokenizer: vocabSize ${opts.vocabSize} must be an integer above the ${specials.length} special tokens`);
  }
  return specials;
}

type MergeProgress = (done: number, planned: number) => void;

/** Word (or, for char, character) → count, over texts with special tokens cut out, in this thread. */
async function countWords(texts: Iterable<string> | AsyncIterable<string>, task: CountTask, hooks: TrainTokenizerHooks): Promise<Map<string, number>> {
  const counter = new WordCounter(task.spec);
  const slicer = new TimeSlicer();
  // What this pass will read: the texts, or the character limit where that comes first.
  const expected = hooks.expectedChars !== undefined ? Math.min(task.limit, hooks.expectedChars) : 0;
  for await (const text of texts) {
    hooks.signal?.throwIfAborted();
    counter.add(text);
    if (expected > 0) task.onFraction(counter.seen / expected);
    if (counter.seen >= task.limit) break;
    await slicer.tick();
  }
  task.onFraction(1);
  return counter.counts;
}

function byCodePoint(a: string, b: string): number {
  return a.codePointAt(0)! - b.codePointAt(0)!;
}

function trainChar(counts: Map<string, number>, vocabSize: number, specials: string[]): TokenizerJson {
  const room = vocabSize - specials.length;
  // '\n' is always in: documents are joined by "\n\n" when there is no end-of-text token, and a
  // corpus of one-line documents would otherwise glue them together with no boundary at all.
  const withNewline = new Map(counts);
  if (!withNewline.has('\n')) withNewline.set('\n', Number.MAX_SAFE_INTEGER);
  const chars = [...withNewline.entries()].filter(([c]) => !specials.includes(c))
    .sort((a, b) => b[1] - a[1] || byCodePoint(a[0], b[0])).slice(0, room).map(([c]) => c).sort(byCodePoint);
  return charTokenizerJson([...specials, ...chars], specials);
}

async function trainBpe(counts: Map<string, number>, vocabSize: number, specials: string[], onMerge: MergeProgress): Promise<TokenizerJson> {
  const alphabet = BYTE_TO_CHAR.filter((c) => !specials.includes(c));
  const base = [...specials, ...alphabet];
  if (vocabSize < base.length) throw new Error(`trainTokenizer(bpe): vocabSize ${vocabSize} is below specials + 256 bytes = ${base.length}`);
  const words: MergeWord[] = [...counts.entries()].map(([w, count]) => ({ symbols: Array.from(w), count }));
  const slicer = new TimeSlicer();
  const taken = new Set(base);
  const planned = vocabSize - base.length;
  const { merges, newTokens } = await learnMerges(words, alphabet, planned, (a, b) => a + b, (done) => { onMerge(done, planned); return slicer.tick(); });
  // A merge whose result is a special string would alias two ids: impossible here because the
  // GPT-2 regex splits specials' punctuation from letters, but keep the guard honest.
  const fresh = newTokens.filter((t) => !taken.has(t));
  if (fresh.length !== newTokens.length) throw new Error('trainTokenizer(bpe): a merge produced a special token string');
  return bpeTokenizerJson([...base, ...fresh], merges, specials);
}

async function trainWordPiece(counts: Map<string, number>, vocabSize: number, specials: string[], lowercase: boolean, onMerge: MergeProgress): Promise<TokenizerJson> {
  // Alphabet: characters by frequency, in both word-initial and "##" continuation forms.
  const room = vocabSize - specials.length;
  const alphabet: string[] = [];
  const taken = new Set(specials);
  const seenForm = new Set<string>();
  const symbolsOf = (w: string) => Array.from(w).map((ch, i) => (i === 0 ? ch : `##${ch}`));
  // Forms in order of frequency of use, until the room is full.
  const formFreq = new Map<string, number>();
  for (const [w, c] of counts) for (const s of symbolsOf(w)) formFreq.set(s, (formFreq.get(s) ?? 0) + c);
  const forms = [...formFreq.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [f] of forms) {
    if (alphabet.length >= room) break;
    if (taken.has(f) || seenForm.has(f)) continue;
    seenForm.add(f); alphabet.push(f);
  }
  const inAlphabet = new Set(alphabet);
  // Words containing a dropped character cannot be merged through it; they still train the rest.
  const words: MergeWord[] = [...counts.entries()].map(([w, count]) => ({ symbols: symbolsOf(w), count }))
    .filter((w) => w.symbols.every((s) => inAlphabet.has(s)));
  const slicer = new TimeSlicer();
  const join = (a: string, b: string) => a + (b.startsWith('##') ? b.slice(2) : b);
  const planned = Math.max(0, room - alphabet.length) + 16;
  const { newTokens } = await learnMerges(words, alphabet, planned, join, (done) => { onMerge(done, planned); return slicer.tick(); });
  const vocab = [...specials, ...alphabet];
  for (const t of newTokens) {
    if (vocab.length >= vocabSize) break;
    if (!taken.has(t) && !inAlphabet.has(t)) { vocab.push(t); taken.add(t); }
  }
  return wordPieceTokenizerJson(vocab, specials, lowercase);
}
