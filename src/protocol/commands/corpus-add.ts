import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { CorpusSnapshotSchema } from './corpus-schemas.ts';

/**
 * Adds files or folders (paths on the engine host's machine) and/or the built-in sample corpus.
 * Returns at once with the new entries 'importing'; each import runs on the host (yielding) and a
 * corpus.changed event follows every status change.
 */
export const corpusAdd = defineCommand({
  target: 'engine',
  summary: 'Add files, folders or the built-in sample corpus to the corpus',
  timeoutMs: 30_000,
  params: v.object({
    paths: v.optional(v.array(v.pipe(v.string(), v.minLength(1)))),
    samples: v.optional(v.boolean()),
  }),
  result: CorpusSnapshotSchema,
});
