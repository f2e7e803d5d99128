import * as v from 'valibot';

/** A line worth showing a person: engine warnings, driver fallback decisions. */
export const HostLogSchema = v.object({
  type: v.literal('host.log'),
  level: v.picklist(['debug', 'info', 'warn', 'error']),
  message: v.string(),
  runId: v.optional(v.string()),
});
export type HostLog = v.InferOutput<typeof HostLogSchema>;
