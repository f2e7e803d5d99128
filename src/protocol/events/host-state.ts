import * as v from 'valibot';

/**
 * The engine host's lifecycle as the supervisor sees it. `exited` carries why (exit code or
 * signal); the supervisor then restarts it (`restarting`) unless it keeps crashing (`failed`).
 * `disconnected` is produced by the browser transport when the bridge itself goes away.
 */
export const HostStateSchema = v.object({
  type: v.literal('host.state'),
  state: v.picklist(['starting', 'ready', 'exited', 'restarting', 'failed', 'stopped', 'disconnected']),
  pid: v.optional(v.number()),
  /** Why the host is in this state, for people: "killed by SIGKILL", "no WebGPU adapter …". */
  reason: v.optional(v.string()),
  /** The Vulkan driver this host was started with (see gpu.info for what Dawn made of it). */
  driver: v.optional(v.string()),
  /** Increments with every host process the supervisor starts. */
  generation: v.number(),
  /** Milliseconds since the epoch when this state was entered. */
  at: v.number(),
});
export type HostState = v.InferOutput<typeof HostStateSchema>;
