// Shapes shared by the run.* commands and events: metric records, progress, run summaries.
import * as v from 'valibot';

/** One line of metrics.jsonl: step, time, split and named numbers (loss, lr, valLoss …). */
export const MetricRecordSchema = v.looseObject({
  step: v.number(),
  time: v.number(),
  split: v.picklist(['train', 'val']),
});
export type RunMetricRecord = v.InferOutput<typeof MetricRecordSchema> & Record<string, unknown>;

export const RunProgressSchema = v.object({
  step: v.number(),
  totalSteps: v.number(),
  elapsedMs: v.number(),
  etaMs: v.number(),
  tokensPerSecond: v.number(),
  /** NaN (null over JSON) before the first loss is read back. */
  loss: v.nullable(v.number()),
});
export type RunProgressInfo = v.InferOutput<typeof RunProgressSchema>;

export const RunStateSchema = v.picklist(['preparing', 'running', 'paused', 'stopping', 'finished', 'stopped', 'failed']);
export type RunStateName = v.InferOutput<typeof RunStateSchema>;

/** The model shape as the run reports it (ModelConfig; extra keys pass through). */
export const RunModelSchema = v.looseObject({
  kind: v.string(),
  vocabSize: v.number(),
  nLayer: v.number(),
  nHead: v.number(),
  nEmbd: v.number(),
  blockSize: v.number(),
});

export const RunSampleSchema = v.object({ step: v.number(), prompt: v.string(), text: v.string() });
export type RunSample = v.InferOutput<typeof RunSampleSchema>;

export const AttentionSettingsSchema = v.object({
  /** Re-run the sentences every this many steps (checkpoints follow this cadence too). */
  every: v.pipe(v.number(), v.integer(), v.minValue(1)),
  sentences: v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(200))), v.minLength(1), v.maxLength(8)),
});
export type AttentionSettings = v.InferOutput<typeof AttentionSettingsSchema>;

/** What the runs list shows about one run folder. */
export const RunEntrySchema = v.object({
  name: v.string(),
  runDir: v.string(),
  /** 'running' / 'paused' / 'preparing' for the active run; 'imported' for a Hugging Face checkpoint brought in and not trained here; else from its checkpoints. */
  status: v.picklist(['preparing', 'running', 'paused', 'stopping', 'finished', 'stopped', 'failed', 'interrupted', 'incomplete', 'imported']),
  objective: v.string(),
  parameters: v.number(),
  model: v.nullable(RunModelSchema),
  /** Latest step on disk (checkpoint or metrics), and the planned total. */
  step: v.number(),
  totalSteps: v.number(),
  bestValLoss: v.nullable(v.number()),
  checkpoints: v.array(v.number()),
  attentionSteps: v.array(v.number()),
  createdAt: v.string(),
  /** A built-in demo model (assets/demo-models): read-only, neither deleted nor resumed. */
  demo: v.optional(v.boolean()),
});
export type RunEntry = v.InferOutput<typeof RunEntrySchema>;

export const RunIdParams = v.object({ runId: v.string() });
export const RunDirParams = v.object({ runDir: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)) });
export const RunStateResult = v.object({ runId: v.string(), state: RunStateSchema });
