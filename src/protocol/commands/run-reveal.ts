import * as v from 'valibot';
import { defineCommand } from '../define.ts';

/**
 * Shows a run folder in the system's file manager (the desktop app). Where the app cannot (the
 * browser bridge), `revealed` is false and the page shows `path` instead.
 */
export const runReveal = defineCommand({
  target: 'app',
  summary: 'Reveal a run folder in the file manager',
  timeoutMs: 10_000,
  params: v.object({ runDir: v.pipe(v.string(), v.minLength(1)) }),
  result: v.object({ revealed: v.boolean(), path: v.string() }),
});
