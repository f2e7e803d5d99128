import { corpusSession } from '../corpus/session.ts';
import type { Handler } from './types.ts';

export const corpusAdd: Handler<'corpus.add'> = async ({ paths, samples }, host) => {
  const session = corpusSession(host);
  session.add(paths ?? [], samples ?? false);
  return session.snapshot();
};
