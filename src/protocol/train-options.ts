// The one TrainOptions schema: every option of a training run with its type, range, default and
// the sentence --help and the UI show for it. The CLI's parser, run.start, the engine's presets
// and the Model page all read this object, so an option added here reaches all of them (and an
// option without a description does not compile: see `field`).
//
// `objective` is a plain non-empty string here on purpose: the objective registry lives in the
// engine (src/engine/objectives), which this folder may not import; the engine refuses an id it
// does not know, naming the registered ones.
import * as v from 'valibot';

type Check<T> = v.GenericSchema<T, T>;

/**
 * An option: its schema with its description attached, optional with its default. Typed with a
 * `never` default so that valibot infers the option's output as T (a default always fills it),
 * not the default value's own literal type.
 */
function field<T>(schema: Check<T>, fallback: T, doc: string) {
  return v.optional(v.pipe(schema, v.description(doc)), fallback as never) as v.OptionalSchema<Check<T>, never>;
}

const int = (min: number) => v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(min, `must be at least ${min}`));
const posInt = int(1);
const nonNeg = v.pipe(v.number('must be a number'), v.minValue(0, 'must be 0 or more'));
const unit = v.pipe(v.number('must be a number'), v.minValue(0, 'must be at least 0 and below 1'), v.ltValue(1, 'must be at least 0 and below 1'));
const fraction = v.pipe(v.number('must be a number'), v.minValue(0, 'must be between 0 and 1'), v.maxValue(1, 'must be between 0 and 1'));
const choice = <const T extends readonly [string, ...string[]]>(options: T) => v.picklist(options, `must be one of ${options.join(', ')}`);

export const TOKENIZER_KINDS = ['char', 'bpe', 'wordpiece'] as const;
export const SCHEDULES = ['cosine', 'linear', 'constant'] as const;

const entries = {
  // --- what to learn
  objective: field(v.pipe(v.string('must be a string'), v.nonEmpty('must name an objective')), 'clm',
    'what to learn: an id of the objective registry (listed below and by model.objectives)'),
  // --- data
  corpus: field(v.array(v.pipe(v.string(), v.nonEmpty('must not be empty')), 'must be a list of paths'), [] as string[],
    'files or folders to import (.txt .md .jsonl .csv .tsv), space-separated'),
  textField: field(v.string(), 'text', 'JSONL field or CSV/TSV column holding the text (CSV/TSV: a usual name is found when left at "text")'),
  documents: field(choice(['paragraph', 'file']), 'paragraph', "what a document is in .txt/.md files: 'paragraph' (blank-line separated) or 'file'"),
  dedup: field(v.boolean('must be true or false'), true, 'drop exact duplicate documents (off for a stream that repeats lines on purpose)'),
  tokenizer: field(choice(TOKENIZER_KINDS), 'char', "'char' (one token per character), 'bpe' (GPT-2 byte-level BPE) or 'wordpiece' (BERT)"),
  vocabSize: field(int(64), 4096, 'vocabulary size for trained bpe/wordpiece tokenizers (char takes what the corpus has)'),
  tokenizerSampleMB: field(int(1), 64,
    'bpe/wordpiece train on at most this many MB of the corpus (every k-th document; the run says how much): bounded memory for big corpora'),
  valFraction: field(v.pipe(v.number('must be a number'), v.gtValue(0, 'must be between 0 and 1'), v.ltValue(1, 'must be between 0 and 1')), 0.1,
    'fraction of the data held out for validation'),
  split: field(choice(['document', 'tail']), 'document', "'document' holds out whole documents (seeded); 'tail' holds out the end of the text (nanoGPT)"),
  sourceField: field(v.string(), '', "seq2seq: CSV/TSV column or JSONL field of the source text ('' = the first column / string field)"),
  targetField: field(v.string(), '', "seq2seq: CSV/TSV column or JSONL field of the target text ('' = the next column / string field)"),
  sharedTokenizer: field(v.boolean('must be true or false'), true,
    'seq2seq: one tokenizer trained on both sides (true), or one per side (false): the source tokenizer on the sources (tokenizer.json), the target tokenizer on the targets (target_tokenizer.json), each of --tokenizer and --vocabSize, and the decoder with a vocabulary of its own'),
  targetCorpus: field(v.array(v.pipe(v.string(), v.nonEmpty('must not be empty')), 'must be a list of paths'), [] as string[],
    'seq2seq: line-aligned target files, one per --corpus file in the same order (line i of each is the target of line i of its --corpus file); none = pairs are the rows of --corpus'),
  wholeWordMask: field(v.boolean('must be true or false'), true,
    'masked LM: mask all pieces of a word together (Chinese words by Intl.Segmenter); false masks tokens one by one'),
  // BART's noise mix (src/engine/objectives/bart-noise.ts): BART-large's is infilling 0.3 and all sentences permuted.
  bartInfill: field(unit, 0.3, 'BART text infilling: fraction of tokens hidden in Poisson(3)-length spans, each span behind one [MASK]'),
  bartPermute: field(fraction, 1, 'BART sentence permutation: fraction of the sentences of each row that swap places (0 = off)'),
  bartDelete: field(unit, 0, 'BART token deletion: fraction of tokens removed from the input'),
  bartTokenMask: field(unit, 0, 'BART token masking: fraction of tokens replaced by [MASK] one by one'),
  bartRotate: field(fraction, 0, 'BART document rotation: probability that a row starts at a random token'),
  // --- model (src/engine/model/config.ts says what each means to the engine)
  nLayer: field(posInt, 4, 'Transformer blocks (per stack for encoder-decoders)'),
  nHead: field(posInt, 4, 'attention heads (nEmbd must divide by it)'),
  nEmbd: field(posInt, 128, 'width of the residual stream'),
  blockSize: field(int(2), 64, 'context length in tokens'),
  ffWidth: field(int(0), 0, 'hidden width of the MLP (0 = 4 * nEmbd)'),
  dropout: field(unit, 0, 'dropout probability (embeddings, attention probabilities and residual branches; 0 = off)'),
  bias: field(v.boolean('must be true or false'), false, 'biases in linear layers and layernorms (BART always has them)'),
  frozen: field(v.array(v.pipe(v.string('must be a string'), v.nonEmpty('must not be empty')), 'must be a list of tensor-name prefixes'), [] as string[],
    "Hugging Face tensor-name prefixes to freeze (e.g. 'bert.embeddings.' or 'transformer.h.0.'): no gradient, no update; each must match a tensor"),
  // --- optimizer
  steps: field(posInt, 2000, 'optimizer steps in total'),
  batchSize: field(posInt, 12, 'sequences per micro-batch'),
  gradAccum: field(posInt, 1, 'micro-batches whose gradients add up to one optimizer step'),
  lr: field(v.pipe(v.number('must be a number'), v.gtValue(0, 'must be above 0')), 1e-3, 'peak learning rate'),
  minLr: field(nonNeg, 1e-4, 'learning rate at the end of the decay (at most lr)'),
  warmupSteps: field(int(0), 100, 'steps of linear warm-up'),
  schedule: field(choice(SCHEDULES), 'cosine', "'cosine', 'linear' or 'constant' after warm-up"),
  beta1: field(unit, 0.9, 'AdamW beta1'),
  beta2: field(unit, 0.99, 'AdamW beta2'),
  weightDecay: field(nonNeg, 0.1, 'AdamW weight decay (matrices and embeddings; not norms or biases)'),
  gradClip: field(nonNeg, 1.0, 'clip the global gradient norm to this (0 = off)'),
  // --- evaluation, logging, checkpoints
  evalEvery: field(posInt, 250, 'validation loss every this many steps (and at the start and the end)'),
  evalIters: field(posInt, 20, 'batches averaged for one validation loss'),
  logEvery: field(posInt, 10, 'train metrics every this many steps'),
  checkpointEvery: field(posInt, 500, 'checkpoint every this many steps (and at the end, and on a stop)'),
  keepCheckpoints: field(posInt, 3, 'how many of the newest checkpoints to keep'),
  attentionSnapshots: field(v.boolean('must be true or false'), true,
    'save the attention of fixed probe sentences at every checkpoint (runs/<name>/attention/), for the Attention page'),
  attentionSentences: field(
    v.pipe(
      v.array(v.pipe(v.string('must be a string'), v.nonEmpty('must not be empty'), v.maxLength(200, 'must be at most 200 characters')), 'must be a list of sentences'),
      v.maxLength(8, 'must be at most 8 sentences'),
    ),
    [] as string[],
    "the probe sentences of the attention snapshots (none = defaults in the corpus's language)",
  ),
  evalTranslations: field(int(0), 64,
    'seq2seq: held-out pairs (the first of the validation split) translated greedily at each evaluation and scored by corpus BLEU and chrF (0 = none)'),
  sampleTokens: field(int(0), 200, 'tokens of sample text written at each evaluation by objectives that generate (0 = none)'),
  samplePrompt: field(v.string(), '', "text the samples start from ('' = a newline or <|endoftext|>)"),
  seed: field(v.pipe(v.number('must be a number'), v.integer('must be a whole number')), 1337, 'seed for initialization, data order and samples'),
  runsDir: field(v.string(), 'runs', 'where run folders are created'),
  name: field(v.string(), '', "run folder name ('' = objective and date)"),
};

const TrainOptionsObject = v.strictObject(entries, () => 'is not an option');

/** A complete, checked set of options; missing keys take their defaults, unknown keys are refused. */
export const TrainOptionsSchema = v.pipe(
  TrainOptionsObject,
  // Checks between fields are reported on the field a person would change.
  v.forward(v.partialCheck([['lr'], ['minLr']], (o) => o.minLr <= o.lr, 'must not exceed lr'), ['minLr']),
  v.forward(v.partialCheck([['corpus'], ['targetCorpus']], (o) => o.targetCorpus.length === 0 || o.targetCorpus.length === o.corpus.length,
    'must name one target file per --corpus file'), ['targetCorpus']),
);
export type TrainOptions = v.InferOutput<typeof TrainOptionsSchema>;
export type TrainOptionKey = keyof TrainOptions;
export type TokenizerKind = TrainOptions['tokenizer'];
export type Schedule = TrainOptions['schedule'];

/** Some options, each checked alone (run.start's overrides, a preset): no defaults filled in. */
export const TrainOptionsPatchSchema = v.strictObject(
  Object.fromEntries(Object.entries(entries).map(([k, s]) => [k, v.optional(v.unwrap(s))])) as { [K in keyof typeof entries]: v.OptionalSchema<ReturnType<typeof v.unwrap<(typeof entries)[K]>>, undefined> },
  () => 'is not an option',
);
export type TrainOptionsPatch = Partial<TrainOptions>;

export const TRAIN_OPTION_KEYS = Object.keys(entries) as TrainOptionKey[];

/** Every option's default, from the schema itself. */
export const DEFAULT_TRAIN_OPTIONS: TrainOptions = v.parse(TrainOptionsSchema, {});

/** The sentence --help and the UI show for an option. */
export function trainOptionDoc(key: TrainOptionKey): string {
  return v.getDescription(v.unwrap(entries[key])) ?? '';
}

/** The schema's own objection to one option's value (its type and range alone), or null. */
export function trainOptionProblem(key: TrainOptionKey, value: unknown): string | null {
  const result = v.safeParse(v.unwrap(entries[key]), value);
  return result.success ? null : result.issues[0].message;
}

/** A refused option set: every problem, each naming its option. */
export class TrainOptionsError extends Error {
  override name = 'TrainOptionsError';
  constructor(readonly problems: { option: string; message: string }[], context = 'options') {
    super(`invalid ${context}: ${problems.map((p) => `${p.option} ${p.message}`).join('; ')}`);
  }
}

function problemsOf(issues: readonly v.BaseIssue<unknown>[]): { option: string; message: string }[] {
  return issues.map((issue) => {
    const path = v.getDotPath(issue);
    // A refused unknown key carries its own name as the issue's path.
    const option = path ?? String(issue.path?.[0]?.key ?? '(options)');
    if (issue.message === 'is not an option') return { option, message: issue.message };
    // The value at the option's path (a cross-field check's own input is the whole object).
    const value = issue.path?.length ? issue.path[issue.path.length - 1].value : issue.input;
    return { option, message: `${issue.message}; got ${JSON.stringify(value)}` };
  });
}

/** Checks a complete option set (defaults fill missing keys); throws TrainOptionsError naming each bad option. */
export function parseTrainOptions(input: unknown, context?: string): TrainOptions {
  const result = v.safeParse(TrainOptionsSchema, input);
  if (!result.success) throw new TrainOptionsError(problemsOf(result.issues), context);
  return result.output;
}

/** Checks some options alone (no defaults filled in); throws TrainOptionsError naming each bad option. */
export function parseTrainOptionsPatch(input: unknown, context?: string): TrainOptionsPatch {
  const result = v.safeParse(TrainOptionsPatchSchema, input);
  if (!result.success) throw new TrainOptionsError(problemsOf(result.issues), context);
  return result.output as TrainOptionsPatch;
}
