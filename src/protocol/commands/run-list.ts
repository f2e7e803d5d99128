import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { RunEntrySchema } from './run-types.ts';

/** The run folders in the runs directory, newest first. */
export const runList = defineCommand({
  target: 'engine',
  summary: 'List the runs in the runs directory',
  timeoutMs: 30_000,
  params: v.object({}),
  result: v.object({ runsDir: v.string(), runs: v.array(RunEntrySchema) }),
});
