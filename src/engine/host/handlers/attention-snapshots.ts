import { runsOf } from '../run-service/index.ts';
import type { Handler } from './types.ts';

export const attentionSnapshots: Handler<'attention.snapshots'> = async ({ runDir }, host) => runsOf(host).snapshots(runDir);
