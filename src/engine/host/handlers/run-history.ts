import { runsOf } from '../run-service/index.ts';
import type { Handler } from './types.ts';

export const runHistory: Handler<'run.history'> = async ({ runDir, offset, limit }, host) => runsOf(host).history(runDir, offset, limit);
