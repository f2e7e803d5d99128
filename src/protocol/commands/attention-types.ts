// Attention maps as they cross the wire: per sentence, per layer, [heads, t, t] Float32Array.
import * as v from 'valibot';

export const AttentionSentenceSchema = v.object({
  text: v.string(),
  ids: v.array(v.number()),
  tokens: v.array(v.string()),
  /** Per layer, probabilities [heads, t, t] row-major (row = query token, column = key token). */
  layers: v.array(v.custom<Float32Array>((x) => x instanceof Float32Array, 'expected a Float32Array')),
});

export const AttentionResultSchema = v.object({
  /** The training step of the weights used. */
  step: v.number(),
  nLayer: v.number(),
  nHead: v.number(),
  /** How tokens are written: 'byte-level' (BPE), 'wordpiece' or 'plain' (characters). */
  scheme: v.picklist(['byte-level', 'wordpiece', 'plain']),
  /** 'decoder self' for GPT (encoder self / cross for other models, later). */
  kind: v.string(),
  sentences: v.array(AttentionSentenceSchema),
});
export type AttentionResult = v.InferOutput<typeof AttentionResultSchema>;
export type AttentionSentenceResult = v.InferOutput<typeof AttentionSentenceSchema>;
