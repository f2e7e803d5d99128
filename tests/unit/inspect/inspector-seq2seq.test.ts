// The encoder-decoder inspection path (AttentionInspector.inspectPairs): encoder and decoder
// layer-0 self-attention against a float64 CPU reference (embeddings → layernorm → q, k →
// softmax per head; the decoder's causal), cross-attention rows as distributions over the real
// source tokens only, and each pair's maps the same batched (padded) as alone.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { encoderDecoderConfig } from '../../../src/engine/model/config';
import { AttentionInspector } from '../../../src/engine/inspect';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

/** Layer-0 self-attention [H, t, t] of one stack of the BART layout, in float64. */
function referenceSelf(inspector: AttentionInspector, flat: Float32Array, side: 'encoder' | 'decoder', ids: number[]): Float64Array {
  const { nEmbd: C, nHead: H, layerNormEps: eps } = inspector.config;
  const D = C / H;
  const t = ids.length;
  const at = (name: string, i: number) => flat[inspector.layout.part(name).offset + i];
  const m = `model.${side}`;
  const x = Array.from({ length: t }, (_, p) => {
    const v = Array.from({ length: C }, (_, c) => at('model.shared.weight', ids[p] * C + c) + at(`${m}.embed_positions.weight`, p * C + c));
    const mean = v.reduce((a, b) => a + b, 0) / C;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / C;
    return v.map((u, c) => ((u - mean) / Math.sqrt(variance + eps)) * at(`${m}.layernorm_embedding.weight`, c) + at(`${m}.layernorm_embedding.bias`, c));
  });
  // nn.Linear: weight [out, in], out = x · Wᵀ + b.
  const h = `${m}.layers.0.self_attn`;
  const lin = (name: string) => x.map((row) => Array.from({ length: C }, (_, o) => row.reduce((s, v, c) => s + v * at(`${h}.${name}.weight`, o * C + c), 0) + at(`${h}.${name}.bias`, o)));
  const q = lin('q_proj');
  const k = lin('k_proj');
  const out = new Float64Array(H * t * t);
  for (let hd = 0; hd < H; hd++) {
    for (let i = 0; i < t; i++) {
      const keys = side === 'decoder' ? i + 1 : t;
      const scores = Array.from({ length: keys }, (_, j) => {
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

function worstRelative(got: Float32Array, want: Float64Array): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1e-3, Math.abs(want[i])));
  return worst;
}

test('encoder-decoder: encoder and decoder layer-0 self-attention equal a float64 reference; cross rows cover the real source only; padding changes nothing', async () => {
  const config = encoderDecoderConfig({ vocabSize: 29, nLayer: 2, nHead: 2, nEmbd: 8, blockSize: 11, ffWidth: 16 });
  const inspector = new AttentionInspector(ctx, config);
  try {
    const r = rng(5);
    const flat = new Float32Array(inspector.layout.totalFloats).map(() => r() * 0.8);
    inspector.setParams(flat);
    const short = { source: [2, 7, 9, 3], target: [2, 11, 4] };
    const long = { source: [2, 5, 8, 13, 21, 1, 4, 1, 5, 9, 3], target: [2, 6, 6, 7, 8, 9, 10] };
    const [a, b] = await inspector.inspectPairs([short, long]);
    let worst = 0;
    for (const [got, pair] of [[a, short], [b, long]] as const) {
      expect(got.encoder).toHaveLength(2);
      expect(got.cross[1].length).toBe(2 * pair.target.length * pair.source.length);
      worst = Math.max(worst, worstRelative(got.encoder[0], referenceSelf(inspector, flat, 'encoder', pair.source)));
      worst = Math.max(worst, worstRelative(got.decoder[0], referenceSelf(inspector, flat, 'decoder', pair.target)));
      // Cross-attention: every decoder position's row is a distribution over the source tokens.
      const ts = pair.source.length, tt = pair.target.length;
      for (let l = 0; l < 2; l++) {
        for (let row = 0; row < 2 * tt; row++) {
          let sum = 0;
          for (let j = 0; j < ts; j++) sum += got.cross[l][row * ts + j];
          expect(sum).toBeCloseTo(1, 5);
        }
      }
    }
    console.log(`encoder-decoder layer-0 self-attention: worst relative difference vs float64 ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-4);
    // The short pair alone (no padding) gives the maps it got in the batch.
    const [alone] = await inspector.inspectPairs([short]);
    for (const part of ['encoder', 'decoder', 'cross'] as const) {
      for (let l = 0; l < 2; l++) {
        for (let i = 0; i < alone[part][l].length; i++) expect(Math.abs(alone[part][l][i] - a[part][l][i])).toBeLessThan(1e-6);
      }
    }
    await expect(inspector.inspect([[1, 2]])).rejects.toThrow(/use inspectPairs/);
    await expect(inspector.inspectPairs([{ source: [], target: [1] }])).rejects.toThrow(/at least one source/);
  } finally {
    inspector.destroy();
  }
});
