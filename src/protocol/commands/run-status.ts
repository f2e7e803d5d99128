import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { AttentionSettingsSchema, RunModelSchema, RunProgressSchema, RunSampleSchema, RunStateSchema } from './run-types.ts';

export const ActiveRunSchema = v.object({
  runId: v.string(),
  runDir: v.string(),
  name: v.string(),
  state: RunStateSchema,
  message: v.optional(v.string()),
  /** Latest data-preparation line while preparing. */
  prepare: v.optional(v.string()),
  /** Its phase (import, tokenizer, shards, split, checkpoint) and 0..1 of it when known. */
  preparePhase: v.optional(v.string()),
  prepareFraction: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
  objective: v.string(),
  parameters: v.number(),
  memoryBytes: v.number(),
  model: v.nullable(RunModelSchema),
  totalSteps: v.number(),
  progress: v.nullable(RunProgressSchema),
  samples: v.array(RunSampleSchema),
  attention: v.nullable(AttentionSettingsSchema),
  attentionSteps: v.array(v.number()),
});
export type ActiveRun = v.InferOutput<typeof ActiveRunSchema>;

/** The engine's active (or last) run, for a page that (re)opens mid-run. */
export const runStatus = defineCommand({
  target: 'engine',
  summary: 'The active training run, if any',
  timeoutMs: 10_000,
  params: v.object({}),
  result: v.object({ active: v.nullable(ActiveRunSchema), runsDir: v.string() }),
});
