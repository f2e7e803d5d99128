// Errors cross process boundaries as plain data: { name, message, stack? }. `name` is the machine-
// readable kind (see ErrorName); `message` is written for a person and says what to do.
import * as v from 'valibot';

export const WireErrorSchema = v.object({
  name: v.string(),
  message: v.string(),
  stack: v.optional(v.string()),
});
export type WireError = v.InferOutput<typeof WireErrorSchema>;

/** Error kinds produced by the plumbing itself; handlers may use their own names too. */
export type ErrorName =
  | 'InvalidMessage' // not JSON, or not an object of the expected shape
  | 'UnknownCommand' // `type` names no command in the registry
  | 'InvalidParams' // params fail the command's schema
  | 'InvalidResult' // a reply's result fails the command's schema (a bug on the replying side)
  | 'PayloadTooLarge'
  | 'Unauthorized'
  | 'Timeout'
  | 'HostExited' // the engine host process died while the request was pending
  | 'HostUnavailable' // no engine host is running (starting, restarting, or failed)
  | 'NoAdapter'; // no WebGPU adapter under any Vulkan driver we could find

export function wireError(name: ErrorName | string, message: string, stack?: string): WireError {
  return stack === undefined ? { name, message } : { name, message, stack };
}

/** Turns anything thrown into a WireError, keeping name, message and stack of real Errors. */
export function toWireError(thrown: unknown): WireError {
  if (thrown instanceof Error) return wireError(thrown.name, thrown.message, thrown.stack);
  if (typeof thrown === 'object' && thrown !== null && 'message' in thrown) {
    const { name, message } = thrown as { name?: unknown; message?: unknown };
    return wireError(typeof name === 'string' ? name : 'Error', String(message));
  }
  return wireError('Error', String(thrown));
}

/** An Error rebuilt from a WireError on the receiving side, so `catch` sees the original kind. */
export class StudioError extends Error {
  constructor(wire: WireError) {
    super(wire.message);
    this.name = wire.name;
    if (wire.stack) this.stack = wire.stack;
  }
}
