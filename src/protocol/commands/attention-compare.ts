import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { AttentionResultSchema } from './attention-types.ts';

const Probs = v.custom<Float32Array>((x) => x instanceof Float32Array, 'expected a Float32Array');

/** Weights to compare: a saved snapshot of the probes, or a checkpoint (latest when no step). */
export const CompareSourceSchema = v.variant('kind', [
  v.object({ kind: v.literal('snapshot'), runDir: v.pipe(v.string(), v.minLength(1)), step: v.pipe(v.number(), v.integer(), v.minValue(0)) }),
  v.object({ kind: v.literal('checkpoint'), runDir: v.pipe(v.string(), v.minLength(1)), step: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))) }),
]);
export type CompareSource = v.InferOutput<typeof CompareSourceSchema>;

/**
 * One sentence's attention under two sets of weights (two checkpoints of a run, or two runs with
 * the same tokenizer and shape) and their difference b − a, per layer [heads, t, t].
 */
export const attentionCompare = defineCommand({
  target: 'engine',
  summary: 'Attention of one sentence under two checkpoints or runs, and the difference',
  timeoutMs: 60_000,
  params: v.object({ a: CompareSourceSchema, b: CompareSourceSchema, sentence: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) }),
  result: v.object({
    a: AttentionResultSchema,
    b: AttentionResultSchema,
    /** Per layer, b − a [heads, t, t] (an encoder-decoder's encoder self-attention). */
    diff: v.array(Probs),
    /** Encoder-decoders, per layer: b − a of the decoder self-attention [heads, tt, tt] and of the cross-attention [heads, tt, t]. */
    diffDecoder: v.optional(v.array(Probs)),
    diffCross: v.optional(v.array(Probs)),
  }),
});
