// The Fine-tune tab's commands: the trainable scopes the engine offers, a labeled file's columns,
// mapping, balance and problems before training, and starting a fine-tune (optionally followed by
// the same architecture from scratch) as a run like any other (progress as run.* events).
// Scores and "try it" predictions of a finished one come from classify.predict.
import * as v from 'valibot';
import { defineCommand } from '../define.ts';

const Fraction = v.pipe(v.number(), v.minValue(0), v.maxValue(0.9));
const ColumnName = v.pipe(v.string(), v.minLength(1), v.maxLength(200));

/** Where the rows come from and how they are read and split (shared by inspect and start). */
const LabeledSource = {
  /** Host path of the labeled .csv / .tsv / .jsonl (picked in the app, or uploaded with corpus.upload). */
  path: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)),
  /** The name the person knows the file by (an upload's own name): messages name it. */
  name: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(1024))),
  /** Column names; guessed from usual names when absent. */
  textField: v.optional(ColumnName),
  pairField: v.optional(ColumnName),
  labelField: v.optional(ColumnName),
  /** Rows without text or label: skipped and listed, or the whole file refused. */
  badRows: v.optional(v.picklist(['skip', 'refuse'])),
  valFraction: Fraction,
  testFraction: Fraction,
  seed: v.pipe(v.number(), v.integer(), v.minValue(0)),
};

const Split = v.object({ train: v.array(v.number()), val: v.array(v.number()), test: v.array(v.number()) });

export const finetuneScopes = defineCommand({
  target: 'engine',
  summary: 'The trainable scopes a fine-tune can choose',
  timeoutMs: 10_000,
  params: v.object({}),
  result: v.object({
    scopes: v.array(v.object({ kind: v.string(), label: v.string(), description: v.string(), takesLayers: v.boolean() })),
  }),
});

export const finetuneInspect = defineCommand({
  target: 'engine',
  summary: "A labeled file's columns, mapping, class balance and problems",
  timeoutMs: 60_000,
  params: v.object(LabeledSource),
  result: v.object({
    available: v.array(v.string()),
    /** The mapping in use (null: text or label could not be guessed; `error` says which). */
    columns: v.nullable(v.object({ text: v.string(), pair: v.optional(v.string()), label: v.string() })),
    guessed: v.array(v.string()),
    labels: v.array(v.string()),
    /** Rows per label, in `labels` order: all, and per split. */
    counts: v.array(v.number()),
    balance: Split,
    rows: v.number(),
    bad: v.array(v.object({ file: v.string(), line: v.number(), reason: v.string() })),
    badCount: v.number(),
    /** Why this file cannot be trained on as mapped, naming file, line and column (null: it can). */
    error: v.nullable(v.string()),
  }),
});

export const finetuneStart = defineCommand({
  target: 'engine',
  summary: 'Start fine-tuning a classifier on a run (and, to compare, the same model from scratch)',
  timeoutMs: 60_000,
  params: v.object({
    /** The pretrained run folder, and which of its checkpoints (0: the latest). */
    runDir: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)),
    checkpoint: v.pipe(v.number(), v.integer(), v.minValue(0)),
    ...LabeledSource,
    /** What trains, as the engine's scopes write it: 'head', 'top:2', 'all' (finetune.scopes). */
    scope: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
    /** The adapters of the 'lora' scope (PEFT's defaults: rank 8, alpha 16, dropout 0, attention). */
    lora: v.optional(v.object({
      rank: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1024)),
      alpha: v.pipe(v.number(), v.gtValue(0), v.maxValue(1_000_000)),
      /** Dropout on each adapter's input in training (PEFT's lora_dropout); 0 when absent. */
      dropout: v.optional(v.pipe(v.number(), v.minValue(0), v.ltValue(1))),
      targets: v.picklist(['attention', 'all-linear']),
    })),
    /** The features: 'cls' (the default: BERT's pooled [CLS], BART's first decoder position), 'mean' (BERT) or 'eos' (BART). */
    pooling: v.optional(v.picklist(['cls', 'mean', 'eos'])),
    steps: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1_000_000)),
    lr: v.pipe(v.number(), v.gtValue(0), v.maxValue(1)),
    /** Layer-wise lr decay: each layer below the head at this factor of the one above (finetune/layer-decay.ts); 1 (or absent): off. */
    layerDecay: v.optional(v.pipe(v.number(), v.gtValue(0), v.maxValue(1))),
    batchSize: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(4096)),
    /** Validation scores every this many steps (the best weights are kept). */
    evalEvery: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
    /** Tokens per row (at most the model's context). */
    maxLength: v.optional(v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(4096))),
    /** Then train the same architecture from random initialisation, same rows and budget. */
    compare: v.boolean(),
  }),
  result: v.object({
    runId: v.string(),
    runDir: v.string(),
    /** The from-scratch run's folder, trained after this one finishes (null without compare). */
    compareRunDir: v.nullable(v.string()),
  }),
});

/**
 * The rows of a fine-tuned run's test split (validation without one), each with its true and
 * predicted label and the class probabilities, as its kept checkpoint scores them: all, or one
 * confusion-matrix cell's. Paged: texts of big splits do not fit one message.
 */
export const finetunePredictions = defineCommand({
  target: 'engine',
  summary: "A fine-tuned run's test rows with their predictions and class probabilities",
  timeoutMs: 120_000,
  params: v.object({
    runDir: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)),
    /** Only rows with this true label id / this predicted label id. */
    label: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    predicted: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    offset: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500))),
  }),
  result: v.object({
    labels: v.array(v.string()),
    split: v.picklist(['test', 'val']),
    /** Rows matching the filter (this page is `rows`). */
    total: v.number(),
    rows: v.array(v.object({
      file: v.string(), line: v.number(), text: v.string(), pair: v.optional(v.string()),
      label: v.number(), predicted: v.number(), probabilities: v.array(v.number()),
    })),
  }),
});

export const finetuneCommands = {
  'finetune.scopes': finetuneScopes,
  'finetune.inspect': finetuneInspect,
  'finetune.start': finetuneStart,
  'finetune.predictions': finetunePredictions,
} as const;
