import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { CorpusSnapshotSchema } from './corpus-schemas.ts';

/** The corpus of this host session: entries with status and issues, statistics, the tokenizer. */
export const corpusList = defineCommand({
  target: 'engine',
  summary: 'Show the corpus of this session',
  timeoutMs: 10_000,
  params: v.object({}),
  result: CorpusSnapshotSchema,
});
