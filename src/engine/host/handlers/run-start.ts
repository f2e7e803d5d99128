import { runsOf } from '../run-service/index.ts';
import type { Handler } from './types.ts';

export const runStart: Handler<'run.start'> = async (params, host) => runsOf(host).start(params);
