import * as v from 'valibot';
import { defineCommand } from '../define.ts';

/** Deletes a run folder inside the runs directory (never the active run while it trains). */
export const runDelete = defineCommand({
  target: 'engine',
  summary: 'Delete a run folder',
  timeoutMs: 30_000,
  params: v.object({ runDir: v.pipe(v.string(), v.minLength(1)) }),
  result: v.object({ deleted: v.string() }),
});
