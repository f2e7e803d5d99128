// Attention maps as they cross the wire: per sentence, per layer, [heads, t, t] Float32Array.
import * as v from 'valibot';

const Probs = v.custom<Float32Array>((x) => x instanceof Float32Array, 'expected a Float32Array');

export const AttentionSentenceSchema = v.object({
  text: v.string(),
  ids: v.array(v.number()),
  tokens: v.array(v.string()),
  /** Per layer, probabilities [heads, t, t] row-major (row = query token, column = key token); an encoder-decoder's encoder self-attention. */
  layers: v.array(Probs),
  /** Encoder-decoders: the decoder's input ([CLS] target…), its self-attention [heads, tt, tt] and cross-attention [heads, tt, t] per layer. */
  target: v.optional(v.object({ ids: v.array(v.number()), tokens: v.array(v.string()) })),
  decoder: v.optional(v.array(Probs)),
  cross: v.optional(v.array(Probs)),
});

export const AttentionResultSchema = v.object({
  /** The training step of the weights used. */
  step: v.number(),
  nLayer: v.number(),
  nHead: v.number(),
  /** How tokens are written: 'byte-level' (BPE), 'wordpiece' or 'plain' (characters). */
  scheme: v.picklist(['byte-level', 'wordpiece', 'plain']),
  /** 'decoder self' (GPT), 'encoder self' (BERT) or 'encoder-decoder' (BART, T5: encoder self, decoder self and cross per sentence). */
  kind: v.string(),
  sentences: v.array(AttentionSentenceSchema),
});
export type AttentionResult = v.InferOutput<typeof AttentionResultSchema>;
export type AttentionSentenceResult = v.InferOutput<typeof AttentionSentenceSchema>;
