import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { AttentionSettingsSchema } from './run-types.ts';

/**
 * Starts a training run (returns once it is set up to prepare data; progress comes as run.*
 * events). `preset` and `options` (TrainOptions keys) are applied over the defaults; no corpus
 * means the built-in sample corpus. `attention` re-runs fixed sentences every N steps.
 */
export const runStart = defineCommand({
  target: 'engine',
  summary: 'Start a training run',
  timeoutMs: 30_000,
  params: v.object({
    preset: v.optional(v.string()),
    options: v.optional(v.record(v.string(), v.union([v.string(), v.number(), v.boolean(), v.array(v.string())]))),
    attention: v.optional(v.nullable(AttentionSettingsSchema)),
  }),
  result: v.object({ runId: v.string(), runDir: v.string() }),
});
