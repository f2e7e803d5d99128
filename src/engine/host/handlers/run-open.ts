import { runsOf } from '../run-service/index.ts';
import type { Handler } from './types.ts';

export const runOpen: Handler<'run.open'> = async ({ runDir }, host) => runsOf(host).open(runDir);
