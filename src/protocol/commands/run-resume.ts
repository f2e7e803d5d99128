import * as v from 'valibot';
import { defineCommand } from '../define.ts';

/**
 * Resumes: the paused active run (`runId`), or a run folder from its latest checkpoint
 * (`runDir`, optionally with a new total of `steps`) as a new active run.
 */
export const runResume = defineCommand({
  target: 'engine',
  summary: 'Resume a paused run, or a stopped run folder from its last checkpoint',
  timeoutMs: 30_000,
  params: v.union([
    v.object({ runId: v.string() }),
    v.object({ runDir: v.pipe(v.string(), v.minLength(1)), steps: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))) }),
  ]),
  result: v.object({ runId: v.string(), runDir: v.string() }),
});
