import { runsOf } from '../run-service/index.ts';
import type { Handler } from './types.ts';

export const runStatus: Handler<'run.status'> = async (_params, host) => runsOf(host).status();
