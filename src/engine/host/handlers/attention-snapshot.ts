import { runsOf } from '../run-service/index.ts';
import type { Handler } from './types.ts';

export const attentionSnapshot: Handler<'attention.snapshot'> = async ({ runDir, step }, host) => runsOf(host).snapshot(runDir, step);
