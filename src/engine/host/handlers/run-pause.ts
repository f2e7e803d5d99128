import { runsOf } from '../run-service/index.ts';
import type { Handler } from './types.ts';

export const runPause: Handler<'run.pause'> = async ({ runId }, host) => runsOf(host).pause(runId);
