import { corpusSession } from '../corpus/session.ts';
import type { Handler } from './types.ts';

export const tokenizerTrain: Handler<'tokenizer.train'> = async ({ kind, vocabSize, objective }, host) =>
  corpusSession(host).trainTokenizer(kind, vocabSize, objective);
