import { runsOf } from '../run-service/index.ts';
import type { Handler } from './types.ts';

export const runList: Handler<'run.list'> = async (_params, host) => runsOf(host).list();
