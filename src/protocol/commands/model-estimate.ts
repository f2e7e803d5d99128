import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { ModelShapeSchema } from './model-schemas.ts';

/** Parameter count and GPU memory of a shape (the engine's own layout and estimate), and whether it fits this adapter. */
export const modelEstimate = defineCommand({
  target: 'engine',
  summary: 'Count parameters and estimate memory for a model shape',
  timeoutMs: 60_000,
  params: ModelShapeSchema,
  result: v.object({
    /** The engine's refusal of the shape (bad head split, …), naming the field; nothing else is set then. */
    invalid: v.optional(v.string()),
    params: v.number(),
    paramBytes: v.number(),
    gradBytes: v.number(),
    adamBytes: v.number(),
    activationBytes: v.number(),
    totalBytes: v.number(),
    largestTensorName: v.string(),
    largestTensorBytes: v.number(),
    /** Why it will not fit this adapter's limits, if it will not. */
    fitError: v.optional(v.string()),
  }),
});
