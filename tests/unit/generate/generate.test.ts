// The full GPU generation loop on a tiny random GPT with a character codec: seeded sampling is
// reproducible, top-k = 1 equals greedy decoding, and greedy decoding equals argmax decoding
// with the float64 full-sequence forward, past the context (the sliding window) included.
// Stop strings, EOS, context_full and streaming are checked on the same model.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { generate, generateText, type GenerateOptions, type TextCodec } from '../../../src/engine/generate/generate';
import { KvDecoder } from '../../../src/engine/generate/kv-decoder';
import { applyRepetitionPenalty, argmax } from '../../../src/engine/generate/sampling';
import { uploadWeights, type DecoderWeights } from '../../../src/engine/generate/weights';
import { decoderConfig } from '../../../src/engine/model/config';
import { randomParams, referenceGptForward } from './reference-gpt';
import { trainTokenizer } from '../../../src/engine/tokenizers/train';
import { EOS } from '../../../src/engine/tokenizers/specials';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz .\n';
const codec: TextCodec = {
  encode: (s) => [...s].map((ch) => {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) throw new Error(`codec: '${ch}' not in alphabet`);
    return i;
  }),
  decode: (ids) => ids.map((i) => ALPHABET[i]).join(''),
};
const cfg = decoderConfig({ vocabSize: ALPHABET.length, nLayer: 2, nHead: 2, nEmbd: 12, blockSize: 13, bias: true });
const params = randomParams(cfg, 11, 0.5);

let ctx: GpuContext;
let weights: DecoderWeights;
let dec: KvDecoder;
beforeAll(async () => {
  ctx = await GpuContext.open();
  weights = uploadWeights(ctx, cfg, params);
  dec = new KvDecoder(ctx, weights, { prefillRows: 4 });
});
afterAll(() => {
  dec?.destroy();
  weights?.destroy();
  ctx?.destroy();
});

const prompt = 'the cat ';
const run = (o: Partial<GenerateOptions>) => generateText(dec, codec, { prompt, maxNewTokens: 30, ...o });

/** Greedy decoding with the float64 forward; the context window follows the same slide rule. */
function referenceGreedy(n: number, slideKeep: number, penalty = 1): number[] {
  let window = codec.encode(prompt);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const logits = referenceGptForward(cfg, params, window).slice((window.length - 1) * cfg.vocabSize);
    applyRepetitionPenalty(logits, [...codec.encode(prompt), ...out], penalty);
    const next = argmax(logits);
    out.push(next);
    window = window.length === cfg.blockSize ? [...window, next].slice(-slideKeep) : [...window, next];
  }
  return out;
}

test('a fixed seed reproduces the same text through the GPU loop; another seed gives another', async () => {
  const opts = { temperature: 1.2, topK: 20, topP: 0.95, repetitionPenalty: 1.1 };
  const a = await run({ ...opts, seed: 2024 });
  const b = await run({ ...opts, seed: 2024 });
  const c = await run({ ...opts, seed: 2025 });
  expect(a.tokens).toHaveLength(30);
  expect(b.tokens).toEqual(a.tokens);
  expect(b.text).toBe(a.text);
  expect(c.tokens).not.toEqual(a.tokens);
  expect(a.seed).toBe(2024);
});

test('top-k = 1 equals greedy, and greedy equals argmax decoding with the full forward, sliding past blockSize', async () => {
  const topk1 = await run({ topK: 1, temperature: 1.5, seed: 1 });
  const greedy = await run({ temperature: 0, seed: 99 });
  expect(topk1.tokens).toEqual(greedy.tokens);
  // 8 prompt tokens + 30 new ones run well past blockSize 13: the window slides every token.
  expect(greedy.tokens).toEqual(referenceGreedy(30, cfg.blockSize));
  expect(greedy.reason).toBe('max_tokens');
  // A shorter kept window re-prefills less often; it must follow the same rule as the reference.
  const short = await run({ temperature: 0, slideKeep: 5 });
  expect(short.tokens).toEqual(referenceGreedy(30, 5));
  // The random model's greedy text is repetitive; with a strong repetition penalty it is varied.
  const varied = await run({ temperature: 0, repetitionPenalty: 4 });
  expect(new Set(varied.tokens).size).toBeGreaterThan(6);
  expect(varied.tokens).toEqual(referenceGreedy(30, cfg.blockSize, 4));
});

test('streaming: one event per token, pieces (and the tail) add up to the text; the loop allocates no GPU buffer', async () => {
  const before = ctx.buffersCreated;
  let streamed = '';
  let tokens = 0;
  let end;
  for await (const ev of generate(dec, codec, { prompt, maxNewTokens: 20, seed: 5 })) {
    if (ev.type === 'token') {
      expect(ev.index).toBe(tokens++);
      streamed += ev.text;
    } else {
      end = ev;
      streamed += ev.tail;
    }
  }
  expect(ctx.buffersCreated).toBe(before);
  expect(end!.tokens).toHaveLength(tokens);
  expect(streamed).toBe(end!.text);
  expect(end!.text).toBe(codec.decode(end!.tokens));
  expect(end!.tokensPerSecond).toBeGreaterThan(0);
});

test('stop strings cut the text, EOS ends before showing itself, context_full and abort say why', async () => {
  // Greedy with a strong penalty: deterministic and varied (so the checks below mean something).
  const base = { temperature: 0, repetitionPenalty: 4 };
  const greedy = await run(base);
  const text = greedy.text;
  expect(new Set(greedy.tokens).size).toBeGreaterThan(6);
  const stop = text.slice(4, 6);
  const cut = await run({ ...base, stop: ['#never#', stop] });
  expect(cut.reason).toBe('stop_string');
  expect(cut.text).toBe(text.slice(0, text.indexOf(stop)));

  const eos = await run({ ...base, eosId: greedy.tokens[2] });
  expect(eos.reason).toBe('eos');
  expect(eos.tokens).toEqual(greedy.tokens.slice(0, greedy.tokens.indexOf(greedy.tokens[2])));

  const full = await run({ ...base, contextFull: 'stop' });
  expect(full.reason).toBe('context_full');
  expect(full.tokens).toEqual(greedy.tokens.slice(0, cfg.blockSize - prompt.length + 1));

  const controller = new AbortController();
  const seen: number[] = [];
  for await (const ev of generate(dec, codec, { prompt, temperature: 0, signal: controller.signal })) {
    if (ev.type === 'token' && seen.push(ev.token) === 3) controller.abort();
    if (ev.type === 'end') expect(ev.reason).toBe('aborted');
  }
  expect(seen).toHaveLength(3);

  // One generation per decoder at a time; breaking out of the loop frees it.
  const first = generate(dec, codec, { prompt, maxNewTokens: 5 });
  await first.next();
  await expect(run({})).rejects.toThrow(/already generating/);
  await first.return(undefined);
  expect((await run({ maxNewTokens: 2 })).tokens).toHaveLength(2);

  await expect(run({ prompt: '' })).rejects.toThrow(/startId/);
  expect((await run({ prompt: '', startId: ALPHABET.indexOf('\n'), maxNewTokens: 3 })).tokens).toHaveLength(3);
  await expect(run({ maxNewTokens: -1 })).rejects.toThrow(/maxNewTokens/);
});

test('a trained byte-level BPE Tokenizer works as the codec: multi-byte text streams whole, EOS is its special id', async () => {
  const corpus = ['To be, or not to be: that is the question. 生存还是毁灭，这是一个问题。 😀 ', 'Whether tis nobler in the mind 忍受命运的暴虐 to suffer.'];
  const tok = await trainTokenizer(corpus, { kind: 'bpe', vocabSize: 300, specials: [EOS] });
  const eosId = tok.tokenToId(EOS)!;
  const bcfg = decoderConfig({ vocabSize: tok.vocabSize, nLayer: 1, nHead: 2, nEmbd: 8, blockSize: 16 });
  const w = uploadWeights(ctx, bcfg, randomParams(bcfg, 3, 0.5));
  const d = new KvDecoder(ctx, w);
  for (const seed of [1, 2, 3]) {
    let streamed = '';
    let end;
    for await (const ev of generate(d, tok, { prompt: '生存还是', maxNewTokens: 25, seed, temperature: 1.5, eosId })) {
      if (ev.type === 'token') streamed += ev.text;
      else {
        end = ev;
        streamed += ev.tail;
      }
    }
    expect(streamed).toBe(end!.text);
    expect(end!.text).toBe(tok.decode(end!.tokens));
    expect(end!.tokens).not.toContain(eosId);
  }
  d.destroy();
  w.destroy();
});

test('candidates: each token event carries the softmax of the full forward at its step (top-k sorted) and the token\'s probability', async () => {
  const events = [];
  for await (const e of generate(dec, codec, { prompt, maxNewTokens: 16, temperature: 0.7, seed: 3, candidates: 5 })) if (e.type === 'token') events.push(e);
  expect(events).toHaveLength(16); // 16 tokens: past blockSize 13, so the window slides
  let window = codec.encode(prompt);
  for (const e of events) {
    const logits = referenceGptForward(cfg, params, window).slice((window.length - 1) * cfg.vocabSize);
    const max = Math.max(...logits);
    const exp = [...logits].map((l) => Math.exp(l - max));
    const sum = exp.reduce((a, b) => a + b, 0);
    const p = exp.map((x) => x / sum);
    const order = p.map((_, id) => id).sort((a, b) => p[b] - p[a] || a - b).slice(0, 5);
    expect(e.candidates!.map((c) => c.id)).toEqual(order);
    for (const c of e.candidates!) expect(c.probability).toBeCloseTo(p[c.id], 5);
    expect(e.probability).toBeCloseTo(p[e.token], 5);
    window = window.length === cfg.blockSize ? [...window, e.token].slice(-cfg.blockSize) : [...window, e.token];
  }
  // Off by default: no distribution is computed or carried.
  for await (const e of generate(dec, codec, { prompt, maxNewTokens: 2, temperature: 0 })) if (e.type === 'token') expect(e.candidates).toBeUndefined();
});
