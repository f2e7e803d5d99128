import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { CorpusSnapshotSchema } from './corpus-schemas.ts';

/**
 * Cancels the tokenizer training in progress (tokenizer.train then fails with 'tokenizer training
 * cancelled'); the tokenizer trained before, if any, stays. Nothing to cancel is not an error.
 */
export const tokenizerCancel = defineCommand({
  target: 'engine',
  summary: 'Cancel the tokenizer training in progress',
  timeoutMs: 10_000,
  params: v.object({}),
  result: CorpusSnapshotSchema,
});
