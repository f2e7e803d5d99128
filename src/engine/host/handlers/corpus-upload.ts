import { corpusSession } from '../corpus/session.ts';
import type { Handler } from './types.ts';

export const corpusUpload: Handler<'corpus.upload'> = async ({ uploadId, name, offset, data, last }, host) =>
  corpusSession(host).upload(uploadId, name, offset, data, last);
