import * as v from 'valibot';
import { defineCommand } from '../define.ts';

const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const Piece = v.object({ id: v.number(), token: v.string() });
const Hypothesis = v.object({
  text: v.string(),
  /** Generated tokens (the decoder start excluded; EOS last unless cut at maxLength). */
  tokens: v.array(Piece),
  /** Sum of the tokens' log-probabilities. */
  score: v.number(),
  /** score / length ** lengthPenalty: what the beams are ranked by. */
  normalized: v.number(),
});

/**
 * An encoder-decoder run's reconstruction (bart, t5-span) or translation (seq2seq) of a source
 * text, from a checkpoint (the latest when no step): greedy (beams 1) or beam search, decoded with
 * the KV-cached decoder. The reply has the best text, every finished hypothesis with its tokens,
 * and the source as the encoder read it.
 */
export const seq2seqTranslate = defineCommand({
  target: 'engine',
  summary: 'Reconstructs or translates a text with an encoder-decoder run (greedy or beam search)',
  timeoutMs: 5 * 60_000,
  params: v.object({
    runDir: v.pipe(v.string(), v.minLength(1)),
    step: v.optional(int(1, Number.MAX_SAFE_INTEGER)),
    source: v.pipe(v.string(), v.minLength(1), v.maxLength(4000)),
    /** 1 = greedy. */
    beams: v.optional(int(1, 16)),
    /** Exponent of the length in a finished beam's score (1: mean log-prob, 0: plain sum). */
    lengthPenalty: v.optional(v.pipe(v.number(), v.minValue(-5), v.maxValue(5))),
    /** Most tokens generated, EOS included (cut to the model's context). */
    maxLength: v.optional(int(1, 4096)),
  }),
  result: v.object({
    step: v.number(),
    objective: v.string(),
    text: v.string(),
    source: v.array(Piece),
    hypotheses: v.array(Hypothesis),
    seconds: v.number(),
    tokensPerSecond: v.number(),
  }),
});
