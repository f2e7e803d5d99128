import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { AttentionSettingsSchema, RunEntrySchema, RunSampleSchema } from './run-types.ts';

/** One run folder: its summary, options, text samples and attention settings (metrics: run.history). */
export const runOpen = defineCommand({
  target: 'engine',
  summary: 'Open one run folder',
  timeoutMs: 30_000,
  params: v.object({ runDir: v.pipe(v.string(), v.minLength(1)) }),
  result: v.object({
    run: RunEntrySchema,
    options: v.record(v.string(), v.unknown()),
    samples: v.array(RunSampleSchema),
    attention: v.nullable(AttentionSettingsSchema),
  }),
});
