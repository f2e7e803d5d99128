import * as v from 'valibot';
import { defineEvent } from '../define.ts';

/** How far a running prompt.classify is: prompts scored of all (K values × seeds × rows). */
export const PromptProgressSchema = defineEvent('prompt.progress', {
  generationId: v.string(),
  done: v.number(),
  total: v.number(),
});
