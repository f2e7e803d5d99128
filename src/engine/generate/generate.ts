// Text generation from a GPT: encode the prompt, prefill the KV cache, then sample one token at a
// time, streaming text pieces as they are decided. Ends at the first of: the EOS token (not
// shown), a stop string (cut from the text), maxNewTokens, or an abort signal.
//
// When the context is full (blockSize tokens cached) the window slides, as nanoGPT's sample.py
// crops to the last blockSize tokens: the cache is rebuilt from the last `slideKeep` tokens
// (default blockSize: exactly nanoGPT's conditioning, one prefill per token from then on; a
// smaller value re-prefills less often at the price of shorter context). contextFull 'stop'
// ends generation instead, with reason 'context_full'.
import type { KvDecoder } from './kv-decoder';
import { randomSeed, SeededRng } from './rng';
import { Sampler, type SamplingOptions } from './sampling';
import { TextStream } from './text-stream';
import { softmax64, topCandidates, type Candidate } from './next-token';

/** The tokenizer as generation needs it (our Tokenizer class fits). */
export interface TextCodec {
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
}

export interface GenerateOptions extends SamplingOptions {
  prompt: string;
  /** Tokens to generate at most (default 200). */
  maxNewTokens?: number;
  /** Generation ends before the first occurrence of any of these in the generated text. */
  stop?: readonly string[];
  /** Fixes the sampling stream; a random one is drawn (and reported) when absent. */
  seed?: number;
  /** End-of-sequence token id: generation ends when it is sampled. */
  eosId?: number;
  /** Token to start from when the prompt encodes to nothing (e.g. BOS, or '\n' for char models). */
  startId?: number;
  /** What to do when blockSize tokens are cached: slide the window (default) or stop. */
  contextFull?: 'slide' | 'stop';
  /** Tokens kept when sliding (1..blockSize, default blockSize). */
  slideKeep?: number;
  signal?: AbortSignal;
  /**
   * How many of the model's most probable next tokens each token event carries (0, the default:
   * none): the softmax of the logits before temperature, penalty and top-k/top-p.
   */
  candidates?: number;
}

export type StopReason = 'eos' | 'stop_string' | 'max_tokens' | 'context_full' | 'aborted';

export interface GenerationResult {
  /** The generated text (prompt excluded, stop string cut). */
  text: string;
  /** Generated ids (EOS excluded; may run past a stop string, which is cut from text only). */
  tokens: number[];
  reason: StopReason;
  promptTokens: number;
  seed: number;
  /** Wall time of the whole call and the generated tokens per second. */
  seconds: number;
  tokensPerSecond: number;
}

export type GenerationEvent =
  | {
      type: 'token'; index: number; token: number; /** new text, '' while held back */ text: string;
      /** With `candidates` > 0: the model's probability of `token`, and its top candidates at this step. */
      probability?: number; candidates?: Candidate[];
    }
  /** `tail`: text held back until the end (an unfinished character or stop-string prefix), to append. */
  | ({ type: 'end'; tail: string } & GenerationResult);

/** Checks options and returns them with defaults filled; throws naming the option. */
function checkOptions(o: GenerateOptions, blockSize: number) {
  const maxNewTokens = o.maxNewTokens ?? 200;
  if (!(Number.isInteger(maxNewTokens) && maxNewTokens >= 0)) throw new Error(`generate: maxNewTokens must be a non-negative integer, got ${maxNewTokens}`);
  const slideKeep = o.slideKeep ?? blockSize;
  if (!(Number.isInteger(slideKeep) && slideKeep >= 1 && slideKeep <= blockSize)) {
    throw new Error(`generate: slideKeep must be an integer in [1, ${blockSize}], got ${slideKeep}`);
  }
  const seed = o.seed ?? randomSeed();
  return { maxNewTokens, slideKeep, seed, contextFull: o.contextFull ?? 'slide' };
}

/** Decoders with a generation in progress: two at once would overwrite each other's cache. */
const busy = new WeakSet<KvDecoder>();

/**
 * Streams one generation. A decoder runs one generation at a time (a second concurrent one is
 * refused); leaving the for-await loop early ends it and frees the decoder.
 */
export async function* generate(decoder: KvDecoder, codec: TextCodec, options: GenerateOptions): AsyncGenerator<GenerationEvent> {
  if (busy.has(decoder)) throw new Error('generate: this decoder is already generating; wait for it to end (or abort it) first');
  busy.add(decoder);
  try {
    yield* run(decoder, codec, options);
  } finally {
    busy.delete(decoder);
  }
}

async function* run(decoder: KvDecoder, codec: TextCodec, options: GenerateOptions): AsyncGenerator<GenerationEvent> {
  const started = performance.now();
  const { blockSize } = decoder.config;
  const { maxNewTokens, slideKeep, seed, contextFull } = checkOptions(options, blockSize);
  const sampler = new Sampler(options, new SeededRng(seed));
  let prompt = codec.encode(options.prompt);
  if (prompt.length === 0) {
    if (options.startId === undefined) throw new Error('generate: the prompt encodes to no tokens; give a prompt or a startId');
    prompt = [options.startId];
  }
  const promptTokens = prompt.length;
  // Longer prompts keep their end, as nanoGPT crops to the last blockSize tokens.
  const context = prompt.slice(-blockSize);
  const generated: number[] = [];
  const stream = new TextStream((ids) => codec.decode(ids), options.stop);
  let reason: StopReason = 'max_tokens';

  decoder.reset();
  let logits = await decoder.feed(context);
  for (let i = 0; i < maxNewTokens; i++) {
    if (options.signal?.aborted) {
      reason = 'aborted';
      break;
    }
    // The penalty looks at prompt and output, as Hugging Face's does.
    const token = sampler.sample(logits, penaltyContext(prompt, generated, sampler.options.repetitionPenalty));
    if (token === options.eosId) {
      reason = 'eos';
      break;
    }
    generated.push(token);
    context.push(token);
    const { piece, stopped } = stream.push(generated);
    yield { type: 'token', index: i, token, text: piece, ...distribution(logits, token, options.candidates ?? 0) };
    if (stopped) {
      reason = 'stop_string';
      break;
    }
    if (i + 1 === maxNewTokens) break; // no need for the logits after the last token
    if (decoder.length === blockSize) {
      if (contextFull === 'stop') {
        reason = 'context_full';
        break;
      }
      decoder.reset();
      context.splice(0, context.length - slideKeep);
      logits = await decoder.feed(context);
    } else {
      logits = await decoder.feed([token]);
    }
  }
  const tail = stream.flush();
  const seconds = (performance.now() - started) / 1000;
  yield {
    type: 'end',
    tail,
    text: stream.current,
    tokens: generated,
    reason,
    promptTokens,
    seed,
    seconds,
    tokensPerSecond: generated.length / Math.max(seconds, 1e-9),
  };
}

function distribution(logits: Float32Array, token: number, k: number): { probability?: number; candidates?: Candidate[] } {
  if (k <= 0) return {};
  const p = softmax64(logits);
  return { probability: p[token], candidates: topCandidates(p, k) };
}

function penaltyContext(prompt: readonly number[], generated: readonly number[], penalty: number): Iterable<number> {
  if (penalty === 1) return [];
  return (function* () {
    yield* prompt;
    yield* generated;
  })();
}

/** The non-streaming form: runs generation to its end and returns the result. */
export async function generateText(decoder: KvDecoder, codec: TextCodec, options: GenerateOptions): Promise<GenerationResult> {
  for await (const event of generate(decoder, codec, options)) {
    if (event.type === 'end') {
      const { type, tail, ...result } = event;
      void type;
      void tail;
      return result;
    }
  }
  throw new Error('generate: ended without a result');
}
