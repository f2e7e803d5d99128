// The model shape and batch the estimate and the measurement are asked for.
import * as v from 'valibot';

const posInt = v.pipe(v.number(), v.integer(), v.minValue(1));

export const ModelShapeSchema = v.object({
  /** An objective id of the engine's registry (model.objectives lists them). */
  objective: v.pipe(v.string(), v.nonEmpty()),
  /** The vocabulary: with a tokenizer per side (seq2seq, sharedTokenizer false) the source's, the encoder's table. */
  vocabSize: posInt,
  /**
   * Encoder-decoder with a tokenizer per side only: the target tokenizer's vocabulary, which the
   * decoder's table and LM head score (ModelConfig.targetVocabSize). Absent: one shared vocabulary.
   */
  targetVocabSize: v.optional(posInt),
  nLayer: posInt,
  nHead: posInt,
  nEmbd: posInt,
  blockSize: posInt,
  /** 0 = 4 * nEmbd. */
  ffWidth: v.pipe(v.number(), v.integer(), v.minValue(0)),
  dropout: v.number(),
  bias: v.boolean(),
  batchSize: posInt,
  gradAccum: posInt,
  /** Tensor-name prefixes the run freezes (TrainOptions.frozen): they change the optimizer's dispatches. */
  frozen: v.optional(v.array(v.pipe(v.string(), v.nonEmpty()))),
});
export type ModelShape = v.InferOutput<typeof ModelShapeSchema>;
