import { runsOf } from '../run-service/index.ts';
import type { Handler } from './types.ts';

export const runStop: Handler<'run.stop'> = async ({ runId }, host) => runsOf(host).stop(runId);
