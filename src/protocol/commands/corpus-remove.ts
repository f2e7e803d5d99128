import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { CorpusSnapshotSchema } from './corpus-schemas.ts';

/** Removes one entry (an uploaded file is deleted from the upload folder too); an import still running is cancelled and leaves nothing. */
export const corpusRemove = defineCommand({
  target: 'engine',
  summary: 'Remove a file from the corpus (cancelling its import)',
  timeoutMs: 10_000,
  params: v.object({ id: v.string() }),
  result: CorpusSnapshotSchema,
});
