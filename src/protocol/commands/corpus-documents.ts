import * as v from 'valibot';
import { defineCommand } from '../define.ts';

/** One page of an entry's imported documents (texts cut to `maxChars`). */
export const corpusDocuments = defineCommand({
  target: 'engine',
  summary: 'Read a page of imported documents',
  timeoutMs: 30_000,
  params: v.object({
    id: v.string(),
    offset: v.pipe(v.number(), v.integer(), v.minValue(0)),
    limit: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)),
    maxChars: v.optional(v.pipe(v.number(), v.integer(), v.minValue(16), v.maxValue(20_000))),
  }),
  result: v.object({
    total: v.number(),
    documents: v.array(v.object({ index: v.number(), text: v.string(), label: v.optional(v.string()), truncated: v.boolean() })),
  }),
});
