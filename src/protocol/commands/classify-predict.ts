import * as v from 'valibot';
import { defineCommand } from '../define.ts';

const ClassScores = v.object({ label: v.string(), precision: v.number(), recall: v.number(), f1: v.number(), support: v.number() });
const SplitScores = v.object({
  count: v.number(), accuracy: v.number(), macroF1: v.number(), loss: v.number(),
  perClass: v.array(ClassScores),
  /** confusion[true][predicted]. */
  confusion: v.array(v.array(v.number())),
});

/**
 * A fine-tuned classifier run (npm run finetune): its scores from eval.json and, for a text (and a
 * second text for pair classifiers), each label's probability under its kept checkpoint.
 */
export const classifyPredict = defineCommand({
  target: 'engine',
  summary: "A fine-tuned classifier's scores, and each label's probability for a text",
  timeoutMs: 60_000,
  params: v.object({
    runDir: v.pipe(v.string(), v.minLength(1)),
    text: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(5000))),
    pair: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(5000))),
  }),
  result: v.object({
    labels: v.array(v.string()),
    init: v.string(),
    scope: v.string(),
    steps: v.number(),
    bestStep: v.number(),
    val: SplitScores,
    test: v.nullable(SplitScores),
    majority: v.object({ label: v.string(), accuracy: v.number(), macroF1: v.number() }),
    /** Present when a text was given. */
    prediction: v.optional(v.object({ step: v.number(), label: v.string(), probabilities: v.array(v.object({ label: v.string(), probability: v.number() })) })),
  }),
});
