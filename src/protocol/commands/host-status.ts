import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { HostStateSchema } from '../events/host-state.ts';

/** The supervisor's view of the engine host right now (the same payload as the host.state event). */
export const hostStatus = defineCommand({
  target: 'app',
  summary: 'Report whether the engine host is running',
  timeoutMs: 5_000,
  params: v.object({}),
  result: HostStateSchema,
});
