import { corpusSession } from '../corpus/session.ts';
import type { Handler } from './types.ts';

export const tokenizerEncode: Handler<'tokenizer.encode'> = async ({ text }, host) => corpusSession(host).encode(text);
