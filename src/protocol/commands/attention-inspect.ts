import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { AttentionResultSchema } from './attention-types.ts';

/**
 * Runs sentences through a model and returns every layer's and head's attention: the live model
 * (the active run's latest saved weights) or a run folder's checkpoint (latest when no step).
 */
export const attentionInspect = defineCommand({
  target: 'engine',
  summary: 'Attention probabilities of sentences, per layer and head',
  timeoutMs: 60_000,
  params: v.object({
    source: v.variant('kind', [
      v.object({ kind: v.literal('live') }),
      v.object({ kind: v.literal('checkpoint'), runDir: v.pipe(v.string(), v.minLength(1)), step: v.optional(v.number()) }),
    ]),
    sentences: v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(200))), v.minLength(1), v.maxLength(8)),
  }),
  result: AttentionResultSchema,
});
