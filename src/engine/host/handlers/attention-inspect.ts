import { runsOf } from '../run-service/index.ts';
import type { Handler } from './types.ts';

export const attentionInspect: Handler<'attention.inspect'> = async ({ source, sentences }, host) => runsOf(host).inspect(source, sentences);
