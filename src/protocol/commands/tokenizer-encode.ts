import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { TokenViewSchema } from './corpus-schemas.ts';

/** Tokenizes a sentence with the session's trained tokenizer (no special-token template). */
export const tokenizerEncode = defineCommand({
  target: 'engine',
  summary: 'Tokenize a sentence with the trained tokenizer',
  timeoutMs: 10_000,
  params: v.object({ text: v.pipe(v.string(), v.maxLength(10_000)) }),
  result: v.object({
    tokens: v.array(TokenViewSchema),
    scheme: v.picklist(['byte-level', 'sentencepiece', 'wordpiece', 'plain']),
  }),
});
