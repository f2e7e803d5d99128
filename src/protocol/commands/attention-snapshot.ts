import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { AttentionResultSchema } from './attention-types.ts';

/** One saved attention snapshot (runs/<name>/attention/step-N.safetensors). */
export const attentionSnapshot = defineCommand({
  target: 'engine',
  summary: 'Read one attention snapshot of a run',
  timeoutMs: 30_000,
  params: v.object({ runDir: v.pipe(v.string(), v.minLength(1)), step: v.pipe(v.number(), v.integer(), v.minValue(0)) }),
  result: AttentionResultSchema,
});
