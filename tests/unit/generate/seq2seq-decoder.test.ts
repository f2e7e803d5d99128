// The KV-cached encoder-decoder (seq2seq-decoder.ts) against the uncached reference
// (seq2seq-forward.ts: the training graph's whole forward over each prefix, itself checked against
// PyTorch in seq2seq-search.test.ts): the next-token log-probabilities of every prefix at every
// step, with beams that fork (one parent, several children: cache copies) and beams that die,
// on the golden BART and on a random bias-free, untied, exact-GELU variant of it.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Seq2SeqDecoder } from '../../../src/engine/generate/seq2seq-decoder';
import { Seq2SeqForward } from '../../../src/engine/generate/seq2seq-forward';
import type { ModelConfig } from '../../../src/engine/model/config';
import { buildParamLayout } from '../../../src/engine/model/params';
import { loadGolden } from '../model/goldens';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

/** A deterministic pseudo-random sequence in [-1, 1). */
function noise(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/**
 * Beam-like calls: each step, every live prefix gets up to three children (tokens picked from a
 * fixed stream), at most `width` survive; returns the largest |cached - reference| over all steps.
 */
async function compare(cfg: ModelConfig, params: Float32Array, source: number[], width: number, seed: number): Promise<{ worst: number; calls: number }> {
  const ref = new Seq2SeqForward(ctx, cfg, params);
  const dec = new Seq2SeqDecoder(ctx, cfg, params);
  const maxPrefix = cfg.blockSize;
  const picks = noise(1000, seed);
  let k = 0;
  const pick = () => Math.floor((picks[k++ % picks.length] + 1) / 2 * cfg.vocabSize);
  let worst = 0, calls = 0;
  try {
    const a = ref.nextFor(source, maxPrefix), b = dec.nextFor(source, maxPrefix);
    let prefixes: number[][] = [[1]];
    while (prefixes[0].length <= maxPrefix) {
      const [x, y] = [await a(prefixes), await b(prefixes)];
      calls++;
      x.forEach((row, i) => row.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - y[i][j])); }));
      if (prefixes[0].length === maxPrefix) break;
      // Children out of order (the second child of beam 0 may come after beam 1's), some parents childless.
      const next: number[][] = [];
      prefixes.forEach((p, i) => {
        const n = i === prefixes.length - 1 && prefixes.length > 1 ? 0 : 1 + (pick() % 3);
        for (let c = 0; c < n; c++) next.push([...p, pick()]);
      });
      prefixes = (next.length ? next : [[...prefixes[0], pick()]]).slice(0, width).reverse();
    }
  } finally {
    ref.destroy();
    dec.destroy();
  }
  return { worst, calls };
}

test('the cached decoder gives the uncached log-probabilities at every step (golden BART, forking beams)', async () => {
  const g = loadGolden('bart');
  const cfg = g.layout.config;
  let worst = 0;
  for (const [source, width, seed] of [[[1, 22, 2], 1, 3], [[1, 5, 9, 14, 7, 2], 4, 11], [[1, 3, 3, 8, 2], 3, 5]] as [number[], number, number][]) {
    const r = await compare(cfg, g.flatParams, source, width, seed);
    console.log(`cached vs uncached, source ${source.join(',')} width ${width}: ${r.calls} calls, max |Δ log p| ${r.worst.toExponential(2)}`);
    worst = Math.max(worst, r.worst);
  }
  expect(worst).toBeLessThan(1e-4);
});

test('the same on a bias-free, untied, exact-GELU encoder-decoder with random weights', async () => {
  const base = loadGolden('bart').layout.config;
  const cfg: ModelConfig = { ...base, bias: false, tiedEmbeddings: false, activation: 'gelu', nHead: 4 };
  const layout = buildParamLayout(cfg);
  const params = noise(layout.totalFloats, 42).map((v) => v * 0.5);
  const r = await compare(cfg, params, [1, 4, 17, 2, 9, 2], 3, 8);
  console.log(`cached vs uncached (bias-free, untied): ${r.calls} calls, max |Δ log p| ${r.worst.toExponential(2)}`);
  expect(r.worst).toBeLessThan(1e-4);
});

test('a second source re-encodes; bad prefixes are refused with what and where', async () => {
  const g = loadGolden('bart');
  const cfg = g.layout.config;
  const ref = new Seq2SeqForward(ctx, cfg, g.flatParams);
  const dec = new Seq2SeqDecoder(ctx, cfg, g.flatParams);
  try {
    const first = dec.nextFor([1, 22, 2], 5);
    await first([[1], [1, 4]]);
    const second = dec.nextFor([1, 6, 6, 6, 2], 5);
    const [got] = await second([[1, 4]]);
    const [want] = await ref.nextFor([1, 6, 6, 6, 2], 5)([[1, 4]]);
    expect(Math.max(...got.map((v, i) => Math.abs(v - want[i])))).toBeLessThan(1e-4);
    await expect(second([[1, 2, 3, 4, 5, 6]])).rejects.toThrow(/prefix of 6 tokens is outside \[1, 5\]/);
    await expect(second([[1, cfg.vocabSize]])).rejects.toThrow(/token id 29 is outside the vocabulary/);
    expect(() => dec.nextFor(new Array(cfg.blockSize + 1).fill(1), 5)).toThrow(/the source is 12 tokens/);
  } finally {
    ref.destroy();
    dec.destroy();
  }
  const gpt: ModelConfig = { ...cfg, kind: 'decoder', norm: 'pre' };
  expect(() => new Seq2SeqDecoder(ctx, gpt, new Float32Array(1))).toThrow(/only post-LN encoder-decoders/);
});
