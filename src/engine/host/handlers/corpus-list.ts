import { corpusSession } from '../corpus/session.ts';
import type { Handler } from './types.ts';

export const corpusList: Handler<'corpus.list'> = async (_params, host) => corpusSession(host).snapshot();
