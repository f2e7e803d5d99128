import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { ModelShapeSchema } from './model-schemas.ts';

/**
 * Builds the real training step for a shape on this adapter and times replayed steps on a batch
 * of random ids (one warm-up step, then up to `steps`, stopping early after `maxMs`).
 */
export const modelMeasure = defineCommand({
  target: 'engine',
  summary: 'Measure the time per training step of a model shape on this adapter',
  timeoutMs: 300_000,
  params: v.object({
    shape: ModelShapeSchema,
    steps: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(50)),
    maxMs: v.pipe(v.number(), v.minValue(100), v.maxValue(120_000)),
  }),
  result: v.object({
    msPerStep: v.number(),
    tokensPerSecond: v.number(),
    /** Timed steps (the warm-up step is not counted). */
    steps: v.number(),
    /** Building the trace (pipelines, buffers) and the warm-up step. */
    buildMs: v.number(),
    params: v.number(),
    adapter: v.string(),
  }),
});
