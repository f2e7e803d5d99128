import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { TokenViewSchema } from './corpus-schemas.ts';

/** Causal LM: position i reads inputs[0..i] and must predict targets[i] (null: not in the loss). */
const CausalRowSchema = v.object({
  kind: v.literal('causal'),
  inputs: v.array(TokenViewSchema),
  targets: v.array(v.nullable(TokenViewSchema)),
});

const MarkedTokenSchema = v.object({
  id: v.number(),
  text: v.string(),
  special: v.optional(v.boolean()),
  /** How the collator altered this input position ('mask', 'random', 'kept'; absent: untouched). */
  mark: v.optional(v.picklist(['mask', 'random', 'kept', 'sentinel', 'pad'])),
});

/** Masked LM + NSP: the corrupted [CLS] A [SEP] B [SEP] input, the original token at each predicted position. */
const MaskedRowSchema = v.object({
  kind: v.literal('mlm'),
  inputs: v.array(MarkedTokenSchema),
  labels: v.array(v.nullable(TokenViewSchema)),
  /** The next-sentence label, when the objective pairs spans for next-sentence prediction. */
  nsp: v.optional(v.object({ isNext: v.boolean() })),
});

/**
 * Denoising (BART text infilling, T5 span corruption): the encoder's corrupted input (spans as one
 * [MASK] or a sentinel, marked) and the text the decoder must write.
 */
const DenoiseRowSchema = v.object({
  kind: v.literal('denoise'),
  inputs: v.array(MarkedTokenSchema),
  targets: v.array(MarkedTokenSchema),
});

/** One row of a preview; an objective's entry says which kind its collator draws. */
export const BatchPreviewRowSchema = v.variant('kind', [CausalRowSchema, MaskedRowSchema, DenoiseRowSchema]);
export type BatchPreviewRow = v.InferOutput<typeof BatchPreviewRowSchema>;

/**
 * A few rows of a real training batch, as the trainer would draw them at step 0: the trainer's own
 * data preparation (import, tokenizer, shards, split; cached where a run finds it) and the
 * objective's own collator.
 */
export const batchPreview = defineCommand({
  target: 'engine',
  summary: 'Draw a real training batch from the corpus for the preview',
  timeoutMs: 600_000,
  params: v.object({
    /** An objective id of the engine's registry (model.objectives lists them). */
    objective: v.pipe(v.string(), v.nonEmpty()),
    corpus: v.pipe(v.array(v.string()), v.minLength(1)),
    /** Paired objectives: line-aligned target files, one per corpus file (TrainOptions.targetCorpus). */
    targetCorpus: v.optional(v.array(v.string())),
    tokenizer: v.picklist(['char', 'bpe', 'wordpiece']),
    vocabSize: v.pipe(v.number(), v.integer(), v.minValue(64)),
    /** Paired objectives: false trains a tokenizer per side, and the targets are shown through the target's (TrainOptions.sharedTokenizer). */
    sharedTokenizer: v.optional(v.boolean()),
    valFraction: v.pipe(v.number(), v.gtValue(0), v.ltValue(1)),
    split: v.picklist(['document', 'tail']),
    blockSize: v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(4096)),
    rows: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(8)),
    seed: v.pipe(v.number(), v.integer()),
    /** The runs folder whose .cache a run shares (default: the host's runs folder, as run.start uses). */
    runsDir: v.optional(v.string()),
  }),
  result: v.object({
    rows: v.array(BatchPreviewRowSchema),
    scheme: v.picklist(['byte-level', 'sentencepiece', 'wordpiece', 'plain']),
    /** The (source) tokenizer's vocabulary. */
    vocabSize: v.number(),
    /** With a tokenizer per side: the target tokenizer's vocabulary (the decoder's). */
    targetVocabSize: v.optional(v.number()),
    trainTokens: v.number(),
    valTokens: v.number(),
  }),
});
