// The attention inspection path against a float64 CPU reference of layer 0 (embeddings →
// layernorm → c_attn → causal softmax per head), and padding invariance of the batched forward.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { decoderConfig, encoderConfig } from '../../../src/engine/model/config';
import { AttentionInspector, cropHeads } from '../../../src/engine/inspect';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

/** Layer-0 attention probabilities [H, t, t] in float64 from the flat parameters. */
function referenceLayer0(inspector: AttentionInspector, flat: Float32Array, ids: number[]): Float64Array {
  const { nEmbd: C, nHead: H, layerNormEps: eps, bias } = inspector.config;
  const D = C / H;
  const t = ids.length;
  const part = (name: string) => inspector.layout.part(name);
  const at = (name: string, i: number) => flat[part(name).offset + i];
  const ln: number[][] = [];
  for (let p = 0; p < t; p++) {
    const x = Array.from({ length: C }, (_, c) => at('transformer.wte.weight', ids[p] * C + c) + at('transformer.wpe.weight', p * C + c));
    const mean = x.reduce((a, b) => a + b, 0) / C;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / C;
    ln.push(x.map((v, c) => ((v - mean) / Math.sqrt(variance + eps)) * at('transformer.h.0.ln_1.weight', c) + (bias ? at('transformer.h.0.ln_1.bias', c) : 0)));
  }
  // c_attn as HF's Conv1D: weight [C, 3C], out = x · W.
  const qkv = ln.map((row) => Array.from({ length: 3 * C }, (_, o) => row.reduce((s, v, c) => s + v * at('transformer.h.0.attn.c_attn.weight', c * 3 * C + o), 0) + (bias ? at('transformer.h.0.attn.c_attn.bias', o) : 0)));
  const out = new Float64Array(H * t * t);
  for (let h = 0; h < H; h++) {
    for (let i = 0; i < t; i++) {
      const scores = Array.from({ length: i + 1 }, (_, j) => {
        let s = 0;
        for (let d = 0; d < D; d++) s += qkv[i][h * D + d] * qkv[j][C + h * D + d];
        return s / Math.sqrt(D);
      });
      const max = Math.max(...scores);
      const e = scores.map((s) => Math.exp(s - max));
      const z = e.reduce((a, b) => a + b, 0);
      e.forEach((v, j) => (out[h * t * t + i * t + j] = v / z));
    }
  }
  return out;
}

test('layer-0 probabilities equal a float64 reference; padding does not change a sentence', async () => {
  const config = decoderConfig({ vocabSize: 37, nLayer: 2, nHead: 3, nEmbd: 12, blockSize: 17, ffWidth: 20, bias: true, dropout: 0.1 }); // inspection never drops
  const inspector = new AttentionInspector(ctx, config);
  try {
    const r = rng(7);
    const flat = new Float32Array(inspector.layout.totalFloats).map(() => r() * 0.8);
    inspector.setParams(flat);
    const short = [3, 1, 4, 1, 5];
    const long = [9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2]; // exactly the context length
    const [a, b] = await inspector.inspect([short, long]);
    expect(a.layers).toHaveLength(2);
    expect(a.layers[0].length).toBe(3 * 5 * 5);
    expect(b.layers[1].length).toBe(3 * 17 * 17);
    for (const [got, ids] of [[a, short], [b, long]] as const) {
      const want = referenceLayer0(inspector, flat, ids);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got.layers[0][i] - want[i]) / Math.max(1e-3, Math.abs(want[i])));
      expect(worst).toBeLessThan(1e-4);
    }
    const [alone] = await inspector.inspect([short]);
    for (let l = 0; l < 2; l++) expect(Array.from(alone.layers[l])).toEqual(Array.from(a.layers[l]));
    // Longer than the context: cut to it.
    const [cut] = await inspector.inspect([[...long, 1, 2, 3]]);
    expect(cut.ids).toEqual(long);
    await expect(inspector.inspect([[]])).rejects.toThrow(/at least one token/);
    expect(() => inspector.setParams(new Float32Array(3))).toThrow(/3 parameters given/);
  } finally {
    inspector.destroy();
  }
});

/** Encoder (BERT, post-LN) layer-0 probabilities [H, t, t] in float64: bidirectional, no mask inside the sentence. */
function referenceEncoderLayer0(inspector: AttentionInspector, flat: Float32Array, ids: number[], types: number[]): Float64Array {
  const { nEmbd: C, nHead: H, layerNormEps: eps } = inspector.config;
  const D = C / H;
  const t = ids.length;
  const at = (name: string, i: number) => flat[inspector.layout.part(name).offset + i];
  const e = 'bert.embeddings';
  const x = Array.from({ length: t }, (_, p) => {
    const v = Array.from({ length: C }, (_, c) => at(`${e}.word_embeddings.weight`, ids[p] * C + c) + at(`${e}.position_embeddings.weight`, p * C + c) + at(`${e}.token_type_embeddings.weight`, types[p] * C + c));
    const mean = v.reduce((a, b) => a + b, 0) / C;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / C;
    return v.map((u, c) => ((u - mean) / Math.sqrt(variance + eps)) * at(`${e}.LayerNorm.weight`, c) + at(`${e}.LayerNorm.bias`, c));
  });
  // nn.Linear: weight [out, in], out = x · Wᵀ + b.
  const h = 'bert.encoder.layer.0.attention.self';
  const lin = (name: string) => x.map((row) => Array.from({ length: C }, (_, o) => row.reduce((s, v, c) => s + v * at(`${h}.${name}.weight`, o * C + c), 0) + at(`${h}.${name}.bias`, o)));
  const q = lin('query');
  const k = lin('key');
  const out = new Float64Array(H * t * t);
  for (let hd = 0; hd < H; hd++) {
    for (let i = 0; i < t; i++) {
      const scores = Array.from({ length: t }, (_, j) => {
        let s = 0;
        for (let d = 0; d < D; d++) s += q[i][hd * D + d] * k[j][hd * D + d];
        return s / Math.sqrt(D);
      });
      const max = Math.max(...scores);
      const ex = scores.map((s) => Math.exp(s - max));
      const z = ex.reduce((a, b) => a + b, 0);
      ex.forEach((v, j) => (out[hd * t * t + i * t + j] = v / z));
    }
  }
  return out;
}

test('encoder (BERT) layer-0 probabilities equal a float64 reference; padded keys are masked', async () => {
  const config = encoderConfig({ vocabSize: 41, nLayer: 2, nHead: 2, nEmbd: 8, blockSize: 13, ffWidth: 16, dropout: 0.1, layerNormEps: 1e-5 });
  const inspector = new AttentionInspector(ctx, config);
  try {
    const r = rng(11);
    const flat = new Float32Array(inspector.layout.totalFloats).map(() => r() * 0.8);
    inspector.setParams(flat);
    const short = { ids: [2, 7, 9, 3], types: [0, 0, 1, 1] };
    const long = { ids: [2, 5, 8, 13, 21, 34, 3, 1, 4, 1, 5, 9, 3], types: [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1] };
    const [a, b] = await inspector.inspect([short.ids, long.ids], [short.types, long.types]);
    for (const [got, s] of [[a, short], [b, long]] as const) {
      const want = referenceEncoderLayer0(inspector, flat, s.ids, s.types);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got.layers[0][i] - want[i]) / Math.max(1e-3, Math.abs(want[i])));
      expect(worst).toBeLessThan(1e-4);
    }
    // Bidirectional: the first token attends to the last one.
    expect(a.layers[0][3]).toBeGreaterThan(0);
    const [alone] = await inspector.inspect([short.ids], [short.types]);
    for (let l = 0; l < 2; l++) {
      for (let i = 0; i < alone.layers[l].length; i++) expect(Math.abs(alone.layers[l][i] - a.layers[l][i])).toBeLessThan(1e-6);
    }
  } finally {
    inspector.destroy();
  }
});

test('cropHeads keeps the top-left block of every head', () => {
  const H = 2, T = 3, t = 2;
  const full = Float32Array.from({ length: H * T * T }, (_, i) => i);
  expect(Array.from(cropHeads(full, H, T, t))).toEqual([0, 1, 3, 4, 9, 10, 12, 13]);
});
