import { defineCommand } from '../define.ts';
import { RunIdParams, RunStateResult } from './run-types.ts';

/** Pauses the active run after its current step. */
export const runPause = defineCommand({
  target: 'engine',
  summary: 'Pause the active training run',
  timeoutMs: 10_000,
  params: RunIdParams,
  result: RunStateResult,
});
