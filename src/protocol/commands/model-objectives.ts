import * as v from 'valibot';
import { defineCommand } from '../define.ts';

const ChartLineSchema = v.object({
  label: v.string(),
  split: v.picklist(['train', 'val']),
  /** A metric name of metrics.jsonl (perplexities are exp of the matching loss, computed by the page). */
  name: v.string(),
  dashed: v.optional(v.boolean()),
});

export const ObjectiveInfoSchema = v.object({
  /** The --objective / run.start value. */
  id: v.string(),
  title: v.string(),
  /** The model family people know it from (GPT, BERT …). */
  family: v.string(),
  summary: v.string(),
  modelKind: v.picklist(['decoder', 'encoder', 'encoder-decoder']),
  heads: v.array(v.string()),
  available: v.boolean(),
  /** It trains on paired text (source and target): the Model page offers two line-aligned files. */
  paired: v.optional(v.boolean()),
  /** Why it cannot train yet (absent when it can). */
  reason: v.optional(v.string()),
  /** Names a train record carries besides lr, gradNorm, tokensPerSecond (empty when not trainable). */
  metrics: v.array(v.string()),
  /** What evaluation writes besides the validation loss, in words (null: nothing). */
  samples: v.nullable(v.string()),
  /** What the Train page charts for it. */
  charts: v.object({ loss: v.array(ChartLineSchema), perplexity: v.array(ChartLineSchema), accuracy: v.array(ChartLineSchema), scores: v.optional(v.array(ChartLineSchema)) }),
});
export type ObjectiveInfoWire = v.InferOutput<typeof ObjectiveInfoSchema>;

/** The engine's objective registry, in registration order: what each is and whether it trains. */
export const modelObjectives = defineCommand({
  target: 'engine',
  summary: 'List the objectives of the registry',
  timeoutMs: 30_000,
  params: v.object({}),
  result: v.object({ objectives: v.array(ObjectiveInfoSchema) }),
});
