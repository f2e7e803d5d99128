import * as v from 'valibot';
import { defineEvent } from '../define.ts';

/** A line worth showing a person: engine warnings, driver fallback decisions. */
export const HostLogSchema = defineEvent('host.log', {
  level: v.picklist(['debug', 'info', 'warn', 'error']),
  message: v.string(),
  runId: v.optional(v.string()),
});
export type HostLog = v.InferOutput<typeof HostLogSchema>;
