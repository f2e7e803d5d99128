import { defineEvent } from '../define.ts';
import { CorpusSnapshotSchema } from '../commands/corpus-schemas.ts';

/** The session's corpus changed (an import finished or failed, an entry was removed, a tokenizer trained). */
export const CorpusChangedSchema = defineEvent('corpus.changed', {
  snapshot: CorpusSnapshotSchema,
});
