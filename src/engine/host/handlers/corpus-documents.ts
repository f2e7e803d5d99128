import { corpusSession } from '../corpus/session.ts';
import type { Handler } from './types.ts';

export const corpusDocuments: Handler<'corpus.documents'> = async ({ id, offset, limit, maxChars }, host) =>
  corpusSession(host).documents(id, offset, limit, maxChars ?? 2000);
