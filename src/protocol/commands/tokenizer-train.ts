import * as v from 'valibot';
import { defineCommand } from '../define.ts';
import { TokenizerInfoSchema } from './corpus-schemas.ts';

/**
 * Trains a tokenizer on the session's imported corpus with the trainer's own options for the
 * objective (specials as a run would have them), then counts the corpus's tokens with it.
 */
export const tokenizerTrain = defineCommand({
  target: 'engine',
  summary: 'Train a tokenizer on the corpus',
  timeoutMs: 600_000,
  params: v.object({
    kind: v.picklist(['char', 'bpe', 'wordpiece']),
    vocabSize: v.pipe(v.number(), v.integer(), v.minValue(64), v.maxValue(200_000)),
    /** An objective id of the engine's registry (model.objectives lists them). */
    objective: v.pipe(v.string(), v.nonEmpty()),
  }),
  result: TokenizerInfoSchema,
});
