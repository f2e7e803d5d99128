// prompt.generate / prompt.cancel through the host dispatcher, on a GPT-2 imported from the
// Hugging Face fixture: the batched prompt.tokens events add up to the reply, the reply equals the
// engine's generateText on the same checkpoint with the same options and seed (the CLI's path),
// a cancel ends it with reason 'aborted', and bad requests are refused before any work.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { generateText, loadDecoder } from '../../../src/engine/generate';
import { evaluatePrompting, readLabeledFile } from '../../../src/engine/prompt';
import { importHfCheckpoint } from '../../../src/engine/hf-import';
import { HostContext } from '../../../src/engine/host/context.ts';
import { dispatch } from '../../../src/engine/host/dispatch.ts';
import { EOS, loadTokenizer } from '../../../src/engine/tokenizers';
import { readRunConfig } from '../../../src/engine/train';
import type { StudioEvent } from '../../../src/protocol/index.ts';

const FIX = new URL('../../fixtures/hf/', import.meta.url).pathname;
const events: StudioEvent[] = [];
const host = new HostContext({ assetsDir: undefined }, (e) => events.push(e));
let work: string, gpt: string, bert: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'prompt-cmd-'));
  gpt = join(work, 'gpt2');
  bert = join(work, 'bert');
  await importHfCheckpoint({ from: join(FIX, 'gpt2'), into: gpt });
  await importHfCheckpoint({ from: join(FIX, 'bert'), into: bert });
});
afterAll(async () => {
  await host.close();
  rmSync(work, { recursive: true, force: true });
});

let n = 0;
const request = (type: string, params: unknown) => dispatch({ type, requestId: `p${++n}`, params }, host);
async function call(type: string, params: unknown): Promise<Record<string, unknown>> {
  const reply = await request(type, params);
  if (!reply.ok) throw new Error(`${type}: ${reply.error.message}`);
  return reply.result as Record<string, unknown>;
}
const tokensOf = (id: string) => events.flatMap((e) => (e.type === 'prompt.tokens' && e.generationId === id ? [e] : []));

test('streamed events add up to the reply, which equals generateText on the same checkpoint and seed', async () => {
  const options = { prompt: 'The cat sat', maxNewTokens: 40, temperature: 0.9, topK: 50, topP: 0.95, repetitionPenalty: 1.3, seed: 7 };
  const r = await call('prompt.generate', { generationId: 'g1', runDir: gpt, ...options });
  const streamed = tokensOf('g1');
  expect(streamed.length).toBeGreaterThan(0);
  expect(streamed.map((e) => e.text).join('')).toBe(r.text);
  expect(streamed.flatMap((e) => e.ids)).toEqual((r.generated as { id: number }[]).map((p) => p.id));
  expect(streamed.map((e) => e.index)).toEqual(streamed.map((_, i) => streamed.slice(0, i).reduce((s, e) => s + e.ids.length, 0)));

  // The reference: the engine's own loop, as `npm run generate` runs it.
  const tok = await loadTokenizer(join(gpt, 'tokenizer.json'));
  const decoder = loadDecoder(await host.gpu(), readRunConfig(gpt).pretrain_studio.model, join(gpt, 'checkpoints', 'step-0', 'model.safetensors'));
  const eosId = tok.tokenToId(EOS);
  const ref = await generateText(decoder, { encode: (t) => tok.encode(t), decode: (ids) => tok.decode(ids) }, { ...options, stop: [], eosId, startId: eosId });
  decoder.destroy();
  expect(r.text).toBe(ref.text);
  expect((r.generated as { id: number }[]).map((p) => p.id)).toEqual(ref.tokens);
  expect(r.reason).toBe(ref.reason);
  expect(r.seed).toBe(7);
  // Token ids on demand: the prompt's pieces as the model read them.
  expect(r.prompt).toEqual(tok.encode('The cat sat').map((id) => ({ id, token: tok.idToToken(id) })));
});

test('prompt.cancel ends a running generation with reason aborted; an unknown id is not cancelled', async () => {
  const pending = call('prompt.generate', { generationId: 'long', runDir: gpt, prompt: 'The', maxNewTokens: 4096, seed: 1 });
  while (tokensOf('long').length === 0) await new Promise((r) => setTimeout(r, 5));
  expect(await call('prompt.cancel', { generationId: 'long' })).toEqual({ cancelled: true });
  const r = await pending;
  expect(r.reason).toBe('aborted');
  expect((r.generated as unknown[]).length).toBeLessThan(4096);
  expect(await call('prompt.cancel', { generationId: 'long' })).toEqual({ cancelled: false });
});

test('bad requests are refused: options out of range by the schema, a BERT run and a missing step by the handler', async () => {
  const bad = await request('prompt.generate', { generationId: 'x', runDir: gpt, prompt: 'a', topP: 0 });
  expect(bad.ok).toBe(false);
  if (!bad.ok) expect(bad.error.message).toMatch(/topP/);
  await expect(call('prompt.generate', { generationId: 'y', runDir: bert, prompt: 'a' })).rejects.toThrow(/holds an encoder model; generation needs a GPT/);
  await expect(call('prompt.generate', { generationId: 'z', runDir: gpt, prompt: 'a', step: 5 })).rejects.toThrow(/no checkpoint step-5 \(it has: 0\)/);
});

test('prompt.classify equals evaluatePrompting on the same rows; prompt.preview shows the prompt it scored; progress and cancel', async () => {
  const data = join(work, 'reviews.tsv');
  const rows = ['the cat sat', 'on the mat', 'The cat', 'sat on', 'the mat sat', 'cat on the mat', 'The mat', 'on the cat', 'sat', 'the cat on'];
  writeFileSync(data, 'label\tsentence\n' + rows.map((r, i) => `${i % 2}\t${r}`).join('\n') + '\n');
  const format = { template: 'The {text}:', classes: ['0', '1'], words: [' cat', ' mat'] };
  const params = { runDir: gpt, data, offset: 0, limit: 4, ...format, shots: [0, 1], seeds: [3], calibrate: true };
  const r = await call('prompt.classify', { generationId: 'c1', ...params });
  const progress = events.flatMap((e) => (e.type === 'prompt.progress' && e.generationId === 'c1' ? [e] : []));
  expect(progress[progress.length - 1]).toMatchObject({ done: 8, total: 8 });

  const tok = await loadTokenizer(join(gpt, 'tokenizer.json'));
  const decoder = loadDecoder(await host.gpu(), readRunConfig(gpt).pretrain_studio.model, join(gpt, 'checkpoints', 'step-0', 'model.safetensors'));
  const all = readLabeledFile(data);
  const ref = await evaluatePrompting(decoder, { encode: (t) => tok.encode(t), decode: (ids) => tok.decode(ids) }, all.slice(0, 4), all.slice(4), { format, shots: [0, 1], seeds: [3], calibrate: true });
  decoder.destroy();
  const results = r.results as { k: number; accuracy: number; confusion: number[][]; examplePrompt: string; cuts: string[] }[];
  expect(results.map((x) => [x.k, x.accuracy, x.confusion, x.examplePrompt])).toEqual(ref.map((x) => [x.k, x.metrics.accuracy, x.metrics.confusion, x.examplePrompt]));

  // The preview of the first row with K = 1, seed 3 is the prompt classify scored for it.
  const preview = await call('prompt.preview', { runDir: gpt, data, offset: 0, limit: 4, ...format, text: all[0].text, k: 1, seed: 3 });
  expect(preview.text).toBe(results[1].examplePrompt);
  expect(preview.blockSize).toBe(16);
  expect(preview.tokens as number).toBeLessThanOrEqual(16);
  expect((preview.cut as string[]).length > 0).toBe(results[1].cuts.length > 0);

  const pending = request('prompt.classify', { generationId: 'c2', ...params, shots: [0, 1, 2], seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], limit: 6 });
  while (!events.some((e) => e.type === 'prompt.progress' && e.generationId === 'c2')) await new Promise((res) => setTimeout(res, 5));
  expect(await call('prompt.cancel', { generationId: 'c2' })).toEqual({ cancelled: true });
  const cancelled = await pending;
  expect(cancelled.ok).toBe(false);
  if (!cancelled.ok) expect(cancelled.error.message).toMatch(/cancelled/);
  await expect(call('prompt.classify', { generationId: 'c3', ...params, classes: ['0', '7'] })).rejects.toThrow(/class '1' has no label word/);
});
