// KV-cache decoding must give, at every position, the logits of the full-sequence forward:
// against PyTorch's own logits (the committed goldens) and against the float64 reference GPT on
// random tiny models (bias on and off, untied head, exact GELU, head sizes 3 and 5), fed one token
// at a time, in prefill chunks that do not divide the prompt, and mixed. Replays allocate nothing.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { KvDecoder } from '../../../src/engine/generate/kv-decoder';
import { loadDecoder } from '../../../src/engine/generate/load';
import { uploadWeights } from '../../../src/engine/generate/weights';
import { writeSafetensors } from '../../../src/engine/io/safetensors';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decoderConfig, type ModelConfig } from '../../../src/engine/model/config';
import { loadGolden } from './golden';
import { maxRelError, randomParams, referenceGptForward, testRng, type Params } from './reference-gpt';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

/** Logits [T, V] from feeding `ids` in chunks of the given sizes (cycled). */
async function decodeAll(dec: KvDecoder, ids: number[], chunks: number[]): Promise<{ rows: Float32Array[]; at: number[] }> {
  dec.reset();
  const rows: Float32Array[] = [];
  const at: number[] = [];
  for (let start = 0, i = 0; start < ids.length; i++) {
    const n = Math.min(chunks[i % chunks.length], ids.length - start);
    rows.push((await dec.feed(ids.slice(start, start + n))).slice());
    start += n;
    at.push(start - 1); // the position whose next-token logits these are
  }
  return { rows, at };
}

function check(cfg: ModelConfig, want: ArrayLike<number>, got: { rows: Float32Array[]; at: number[] }, label: string): number {
  const V = cfg.vocabSize;
  let worst = 0;
  got.rows.forEach((row, i) => {
    const t = got.at[i];
    worst = Math.max(worst, maxRelError(row, Array.prototype.slice.call(want, t * V, (t + 1) * V)));
  });
  console.log(`${label}: max rel err ${worst.toExponential(2)} over ${got.rows.length} positions`);
  expect(worst).toBeLessThan(1e-4);
  return worst;
}

for (const name of ['gpt', 'gpt_nobias'] as const) {
  test(`KV-cache logits equal PyTorch's full-sequence logits at every position (${name})`, async () => {
    const { cfg, params, rows, logits, T } = loadGolden(name);
    const weights = uploadWeights(ctx, cfg, params);
    const dec = new KvDecoder(ctx, weights, { prefillRows: 4 });
    for (let b = 0; b < rows.length; b++) {
      const want = logits.subarray(b * T * cfg.vocabSize, (b + 1) * T * cfg.vocabSize);
      check(cfg, want, await decodeAll(dec, rows[b], [1]), `${name} row ${b}, one token at a time`);
      check(cfg, want, await decodeAll(dec, rows[b], [4]), `${name} row ${b}, prefill chunks of 4`);
      check(cfg, want, await decodeAll(dec, rows[b], [3, 1, 2]), `${name} row ${b}, chunks 3,1,2`);
    }
    dec.destroy();
    weights.destroy();
  });
}

const cases: [string, Partial<ModelConfig>][] = [
  ['bias, head size 3', { vocabSize: 29, nLayer: 2, nHead: 3, nEmbd: 9, blockSize: 13, bias: true }],
  ['no bias, head size 5, ff 23', { vocabSize: 65, nLayer: 3, nHead: 2, nEmbd: 10, blockSize: 17, ffWidth: 23, bias: false }],
  ['untied head, exact GELU, one layer (vec4 matvecs)', { vocabSize: 72, nLayer: 1, nHead: 4, nEmbd: 20, blockSize: 9, tiedEmbeddings: false, activation: 'gelu' }],
];
for (const [label, overrides] of cases) {
  test(`KV-cache logits equal the float64 full-sequence forward at every position: ${label}`, async () => {
    const cfg = decoderConfig(overrides);
    const params: Params = randomParams(cfg, 7);
    const rand = testRng(99);
    const ids = Array.from({ length: cfg.blockSize }, () => Math.floor(rand() * cfg.vocabSize));
    const want = referenceGptForward(cfg, params, ids);
    const weights = uploadWeights(ctx, cfg, params);
    const dec = new KvDecoder(ctx, weights, { prefillRows: 5 });
    check(cfg, want, await decodeAll(dec, ids, [1]), `${label}, one at a time`);
    check(cfg, want, await decodeAll(dec, ids, [5, 2]), `${label}, chunks 5,2`);
    // Whole context in one call, then the cache is full and says so.
    check(cfg, want, await decodeAll(dec, ids, [cfg.blockSize]), `${label}, whole prompt`);
    await expect(dec.feed([0])).rejects.toThrow(/exceed the context of/);
    await expect(new KvDecoder(ctx, weights).feed([cfg.vocabSize])).rejects.toThrow(/outside the vocabulary/);
    dec.destroy();
    weights.destroy();
  });
}

test('decoding replays the recorded traces: no buffer is created per token', async () => {
  const cfg = decoderConfig({ vocabSize: 31, nLayer: 2, nHead: 2, nEmbd: 8, blockSize: 40 });
  const weights = uploadWeights(ctx, cfg, randomParams(cfg, 3));
  const dec = new KvDecoder(ctx, weights, { prefillRows: 8 });
  await dec.feed([1, 2, 3, 4, 5]);
  const before = ctx.buffersCreated;
  for (let t = 0; t < 20; t++) await dec.feed([t % cfg.vocabSize]);
  await dec.feed([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(ctx.buffersCreated).toBe(before);
  expect(dec.length).toBe(35);
  dec.destroy();
  weights.destroy();
});

test('a model the KV decoder cannot run is refused with the reason', () => {
  const cfg = decoderConfig({ vocabSize: 11, nLayer: 1, nHead: 1, nEmbd: 4, blockSize: 4 });
  const params = randomParams(cfg, 1);
  params.delete('transformer.h.0.mlp.c_fc.bias');
  expect(() => uploadWeights(ctx, cfg, params)).toThrow(/'transformer.h.0.mlp.c_fc.bias' \[16\] is missing/);
  params.set('transformer.h.0.mlp.c_fc.bias', new Float32Array(15));
  expect(() => uploadWeights(ctx, cfg, params)).toThrow(/has 15 values/);
});

test('loadDecoder reads a model.safetensors with Hugging Face names and decodes as PyTorch did', async () => {
  const { cfg, params, rows, logits, T } = loadGolden('gpt');
  const dir = mkdtempSync(join(tmpdir(), 'kvdec-'));
  try {
    const path = join(dir, 'model.safetensors');
    writeSafetensors(path, Object.fromEntries([...params].map(([k, v]) => [k, { data: v, shape: [v.length] }])));
    const dec = loadDecoder(ctx, cfg, path);
    check(cfg, logits.subarray(0, T * cfg.vocabSize), await decodeAll(dec, rows[0], [1]), 'loaded from safetensors');
    dec.destroy();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
