import { defineCommand } from '../define.ts';
import { RunIdParams, RunStateResult } from './run-types.ts';

/** Stops the active run after its current step; it saves a checkpoint (resumable). */
export const runStop = defineCommand({
  target: 'engine',
  summary: 'Stop the active training run (saves a checkpoint)',
  timeoutMs: 10_000,
  params: RunIdParams,
  result: RunStateResult,
});
