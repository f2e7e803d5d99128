import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { HostStateSchema } from '../events/host-state.ts';

/** Settings for which Vulkan driver the host is started with ('auto': real GPU first, then software). */
export const DriverChoiceSchema = v.picklist(['auto', 'native', 'lavapipe', 'swiftshader']);
export type DriverChoice = v.InferOutput<typeof DriverChoiceSchema>;

/** Stops the engine host (gracefully, then by force) and starts a new one. */
export const hostRestart = defineCommand({
  target: 'app',
  summary: 'Restart the engine host, optionally with another Vulkan driver',
  timeoutMs: 180_000,
  params: v.object({
    driver: v.optional(DriverChoiceSchema),
  }),
  result: HostStateSchema,
});
