// Messages only the supervisor and the engine host exchange (never seen by the renderer).
import * as v from 'valibot';

/** Host → supervisor, once, when the host is ready for requests. */
export const HostReadySchema = v.object({
  type: v.literal('host.ready'),
  pid: v.number(),
});

/** Supervisor → host: finish what you are doing, release the GPU and exit. */
export const HostShutdownSchema = v.object({
  type: v.literal('host.shutdown'),
});

export function isHostReady(raw: unknown): raw is v.InferOutput<typeof HostReadySchema> {
  return v.is(HostReadySchema, raw);
}

export function isHostShutdown(raw: unknown): raw is v.InferOutput<typeof HostShutdownSchema> {
  return v.is(HostShutdownSchema, raw);
}

/** Exit codes the engine host uses on purpose, so the supervisor can say why it exited. */
export const HOST_EXIT_CODES = {
  /** An error escaped every handler. */
  uncaught: 70,
  /** The GPU device was lost (driver reset, GPU removed): only a new process gets a new one. */
  deviceLost: 75,
} as const;
