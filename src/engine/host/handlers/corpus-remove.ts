import { corpusSession } from '../corpus/session.ts';
import type { Handler } from './types.ts';

export const corpusRemove: Handler<'corpus.remove'> = async ({ id }, host) => {
  const session = corpusSession(host);
  await session.remove(id);
  return session.snapshot();
};
