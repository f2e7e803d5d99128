import * as v from 'valibot';
import { defineCommand } from '../define.ts';

/** Liveness check. `delayMs` holds the reply back, which lets tests keep a command in flight. */
export const hostPing = defineCommand({
  target: 'engine',
  summary: 'Ask the engine host whether it is alive',
  timeoutMs: 70_000,
  params: v.object({
    delayMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(60_000))),
  }),
  result: v.object({
    pid: v.number(),
    uptimeMs: v.number(),
  }),
});
