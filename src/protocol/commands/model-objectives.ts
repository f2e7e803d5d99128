import * as v from 'valibot';
import { defineCommand } from '../define.ts';

/** Which objectives the trainer accepts now (asked of the trainer itself, not a list kept here). */
export const modelObjectives = defineCommand({
  target: 'engine',
  summary: 'List the objectives the trainer can run',
  timeoutMs: 30_000,
  params: v.object({}),
  result: v.object({
    objectives: v.array(v.object({
      id: v.picklist(['clm', 'mlm', 'denoise']),
      available: v.boolean(),
      /** The trainer's own words when it refuses. */
      reason: v.optional(v.string()),
    })),
  }),
});
