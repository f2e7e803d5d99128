import * as v from 'valibot';
import { WireErrorSchema } from '../wire-error.ts';

/** Sent to one client when a message it sent could not be tied to a request (bad JSON, too big). */
export const ProtocolErrorSchema = v.object({
  type: v.literal('protocol.error'),
  error: WireErrorSchema,
});
export type ProtocolErrorEvent = v.InferOutput<typeof ProtocolErrorSchema>;
