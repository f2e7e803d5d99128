import { runsOf } from '../run-service/index.ts';
import type { Handler } from './types.ts';

export const runResume: Handler<'run.resume'> = async (params, host) => runsOf(host).resume(params);
