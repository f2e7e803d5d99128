import * as v from 'valibot';
import { defineCommand } from '../define.ts';

const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const Piece = v.object({ id: v.number(), token: v.string() });
/** A generated token with what the model predicted at its step (when `candidates` was asked). */
const GeneratedPiece = v.object({
  id: v.number(),
  token: v.string(),
  /** The model's probability of this token: softmax of the logits, before temperature and filters. */
  probability: v.optional(v.number()),
  /** The most probable next tokens at this step, most probable first. */
  candidates: v.optional(v.array(v.object({ id: v.number(), token: v.string(), probability: v.number() }))),
});

/**
 * Text from a GPT run's checkpoint (the latest when no step), streamed: while it runs the engine
 * emits `prompt.tokens` events carrying `generationId` (a few per second, each with the new ids and
 * text), and `prompt.cancel` with the same id ends it early (reason 'aborted'). The reply comes at
 * the end with the whole text and every token id and vocabulary piece (shown on demand).
 * Sampling is Hugging Face's order: repetition penalty → temperature → top-k → top-p.
 */
export const promptGenerate = defineCommand({
  target: 'engine',
  summary: 'Streams generated text from a GPT run (cancellable with prompt.cancel)',
  timeoutMs: 30 * 60_000,
  params: v.object({
    /** Chosen by the caller, so events and prompt.cancel can name this generation before the reply. */
    generationId: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
    runDir: v.pipe(v.string(), v.minLength(1)),
    step: v.optional(int(0, Number.MAX_SAFE_INTEGER)),
    prompt: v.pipe(v.string(), v.maxLength(100_000)),
    maxNewTokens: v.optional(int(1, 4096)),
    /** 0 = greedy. */
    temperature: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(10))),
    /** 0 = off. */
    topK: v.optional(int(0, 1_000_000)),
    /** 1 = off. */
    topP: v.optional(v.pipe(v.number(), v.gtValue(0), v.maxValue(1))),
    /** 1 = off. */
    repetitionPenalty: v.optional(v.pipe(v.number(), v.gtValue(0), v.maxValue(10))),
    stop: v.optional(v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(200))), v.maxLength(16))),
    /** Fixes the draws; a random seed is drawn and reported when absent. */
    seed: v.optional(int(0, Number.MAX_SAFE_INTEGER)),
    /** Report each generated token's probability and this many top next-token candidates (0 = off). */
    candidates: v.optional(int(0, 50)),
  }),
  result: v.object({
    generationId: v.string(),
    step: v.number(),
    /** The generated text (prompt excluded, a stop string cut). */
    text: v.string(),
    reason: v.picklist(['eos', 'stop_string', 'max_tokens', 'context_full', 'aborted']),
    seed: v.number(),
    tokensPerSecond: v.number(),
    seconds: v.number(),
    /** The prompt's tokens as the model read them (the last blockSize when it is longer). */
    prompt: v.array(Piece),
    /** Every generated token (EOS excluded). */
    generated: v.array(GeneratedPiece),
  }),
});

/** Ends a running prompt.generate early; false when none of that id is running. */
export const promptCancel = defineCommand({
  target: 'engine',
  summary: 'Cancels a running prompt.generate',
  timeoutMs: 10_000,
  params: v.object({ generationId: v.pipe(v.string(), v.minLength(1), v.maxLength(64)) }),
  result: v.object({ cancelled: v.boolean() }),
});
