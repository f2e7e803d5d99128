import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { CorpusSnapshotSchema } from './corpus-schemas.ts';

/** Removes one entry (an uploaded file is deleted from the upload folder too). */
export const corpusRemove = defineCommand({
  target: 'engine',
  summary: 'Remove a file from the corpus',
  timeoutMs: 10_000,
  params: v.object({ id: v.string() }),
  result: CorpusSnapshotSchema,
});
