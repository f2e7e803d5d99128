import * as v from 'valibot';
import { defineCommand } from '../define.ts';

/** The steps at which a run saved attention snapshots of its fixed sentences. */
export const attentionSnapshots = defineCommand({
  target: 'engine',
  summary: "List a run's attention snapshots",
  timeoutMs: 10_000,
  params: v.object({ runDir: v.pipe(v.string(), v.minLength(1)) }),
  result: v.object({ steps: v.array(v.number()), sentences: v.array(v.string()), every: v.nullable(v.number()) }),
});
