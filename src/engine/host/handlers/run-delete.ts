import { runsOf } from '../run-service/index.ts';
import type { Handler } from './types.ts';

export const runDelete: Handler<'run.delete'> = async ({ runDir }, host) => runsOf(host).delete(runDir);
