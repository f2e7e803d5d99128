import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { MetricRecordSchema } from './run-types.ts';

/**
 * A run's metrics.jsonl, a page at a time (a long run holds more than one message may carry):
 * records [offset, offset + limit) in file order; `next` is null at the end.
 */
export const runHistory = defineCommand({
  target: 'engine',
  summary: "Read a page of a run's metrics history (metrics.jsonl)",
  timeoutMs: 30_000,
  params: v.object({
    runDir: v.pipe(v.string(), v.minLength(1)),
    offset: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(5000))),
  }),
  result: v.object({ records: v.array(MetricRecordSchema), total: v.number(), next: v.nullable(v.number()) }),
});
