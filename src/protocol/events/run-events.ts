// Events of a training run (the trainer's TrainerEvent, plus attention snapshots). Train metrics
// arrive batched: a few run.metrics events per second, each with every record since the last.
import * as v from 'valibot';
import { defineRunEvent } from '../define.ts';
import { MetricRecordSchema, RunModelSchema, RunProgressSchema, RunStateSchema } from '../commands/run-types.ts';

export const RunPrepareSchema = defineRunEvent('run.prepare', {
  phase: v.string(),
  message: v.string(),
  /** 0..1 of the phase when known. */
  fraction: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
});
export const RunIssuesSchema = defineRunEvent('run.issues', {
  issues: v.array(v.looseObject({ file: v.string(), code: v.string(), severity: v.string(), message: v.string() })),
  summary: v.optional(v.array(v.string())),
});
export const RunStartedSchema = defineRunEvent('run.started', {
  runDir: v.string(),
  resumed: v.boolean(),
  startStep: v.number(),
  totalSteps: v.number(),
  parameters: v.number(),
  tokensPerStep: v.number(),
  model: RunModelSchema,
  memoryBytes: v.number(),
});
export const RunMetricsSchema = defineRunEvent('run.metrics', {
  records: v.array(MetricRecordSchema),
  progress: RunProgressSchema,
});
export const RunEvalSchema = defineRunEvent('run.eval', { record: MetricRecordSchema });
export const RunSampleEventSchema = defineRunEvent('run.sample', { step: v.number(), prompt: v.string(), text: v.string() });
export const RunCheckpointSchema = defineRunEvent('run.checkpoint', { step: v.number(), path: v.string() });
export const RunStateEventSchema = defineRunEvent('run.state', { state: RunStateSchema, step: v.number(), message: v.optional(v.string()) });
/** An attention snapshot of the run's fixed sentences was saved at `step`. */
export const RunAttentionSchema = defineRunEvent('run.attention', { step: v.number() });

export const RunEventSchemas = [
  RunPrepareSchema,
  RunIssuesSchema,
  RunStartedSchema,
  RunMetricsSchema,
  RunEvalSchema,
  RunSampleEventSchema,
  RunCheckpointSchema,
  RunStateEventSchema,
  RunAttentionSchema,
] as const;
