import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { AttentionSettingsSchema } from './run-types.ts';
import { TrainOptionsPatchSchema } from '../train-options.ts';

/**
 * Starts a training run (returns once it is set up to prepare data; progress comes as run.*
 * events). `preset` and then `options` are applied over the schema's defaults; no corpus
 * means the built-in sample corpus. `attention` re-runs fixed sentences every N steps.
 */
export const runStart = defineCommand({
  target: 'engine',
  summary: 'Start a training run',
  timeoutMs: 30_000,
  params: v.object({
    preset: v.optional(v.string()),
    /** TrainOptions keys (src/protocol/train-options.ts), each checked here; unknown keys are refused. */
    options: v.optional(TrainOptionsPatchSchema),
    attention: v.optional(v.nullable(AttentionSettingsSchema)),
  }),
  result: v.object({ runId: v.string(), runDir: v.string() }),
});
