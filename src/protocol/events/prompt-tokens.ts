import * as v from 'valibot';
import { defineEvent } from '../define.ts';

/**
 * New tokens of a running prompt.generate, batched (a few events per second, not one per token):
 * `ids` in order from position `index` of the generated tokens, `text` the text they decided
 * (a piece can be held back while a character or a stop string is unfinished).
 */
export const PromptTokensSchema = defineEvent('prompt.tokens', {
  generationId: v.string(),
  index: v.number(),
  ids: v.array(v.number()),
  text: v.string(),
});
export type PromptTokens = v.InferOutput<typeof PromptTokensSchema>;
