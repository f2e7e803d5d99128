import * as v from 'valibot';
import { defineCommand } from '../define.ts';

const Candidate = v.object({ id: v.number(), token: v.string(), text: v.string(), probability: v.number() });

/**
 * A BERT run's predictions at every [MASK] of a text (top-k candidates with probabilities), from a
 * checkpoint (the latest when no step), and with `next` the NSP head's P(next follows text).
 */
export const fillMask = defineCommand({
  target: 'engine',
  summary: 'Top-k candidates at every [MASK] of a text, and P(IsNext) for a sentence pair',
  timeoutMs: 60_000,
  params: v.object({
    runDir: v.pipe(v.string(), v.minLength(1)),
    step: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
    text: v.pipe(v.string(), v.minLength(1), v.maxLength(2000)),
    topK: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(50))),
    next: v.optional(v.pipe(v.string(), v.maxLength(2000))),
  }),
  result: v.object({
    step: v.number(),
    tokens: v.array(v.string()),
    masks: v.array(v.object({ position: v.number(), candidates: v.array(Candidate) })),
    filled: v.string(),
    isNextProbability: v.nullable(v.number()),
  }),
});
