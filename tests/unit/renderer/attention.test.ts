import { describe, expect, test } from 'vitest';
import { renormalize } from '../../../src/renderer/lib/attention/renormalize.ts';
import { rollout } from '../../../src/renderer/lib/attention/rollout.ts';
import { keptIndices } from '../../../src/renderer/lib/attention/specials.ts';
import { headMatrix, type AttentionLayer } from '../../../src/renderer/lib/attention/types.ts';
import { randomAttention, rng } from './random.ts';

// Independent float64 references on nested arrays: matrices as number[][], no shared code.
type Mat = number[][];
const toMat = (probs: Float32Array, h: number, t: number, u: number): Mat =>
  Array.from({ length: t }, (_, i) => Array.from({ length: u }, (_, j) => probs[(h * t + i) * u + j]));
const matmulRef = (a: Mat, b: Mat): Mat =>
  a.map((row) => b[0].map((_, j) => row.reduce((acc, aik, k) => acc + aik * b[k][j], 0)));

/** Abnar & Zuidema: Â_l = rownorm(mean_h A_l,h + I); R = Â_L ··· Â_1. */
function rolloutRef(layers: AttentionLayer[]): Mat {
  let result: Mat | null = null;
  for (const layer of layers) {
    const t = layer.tq;
    const heads = Array.from({ length: layer.heads }, (_, h) => toMat(layer.probs, h, t, t));
    const mean: Mat = heads[0].map((row, i) => row.map((_, j) => heads.reduce((s, m) => s + m[i][j], 0) / layer.heads));
    const withResidual = mean.map((row, i) => row.map((v, j) => v + (i === j ? 1 : 0)));
    const normed = withResidual.map((row) => {
      const sum = row.reduce((a, b) => a + b, 0);
      return row.map((v) => v / sum);
    });
    result = result === null ? normed : matmulRef(normed, result);
  }
  return result ?? [];
}

describe('rollout', () => {
  test.each([
    { heads: 1, t: 1, layers: 1, causal: false },
    { heads: 4, t: 17, layers: 3, causal: false },
    { heads: 3, t: 13, layers: 6, causal: true },
  ])('equals the float64 reference: %o', ({ heads, t, layers: count, causal }) => {
    const rand = rng(heads * 100 + t);
    const layers = Array.from({ length: count }, () => ({ probs: randomAttention(rand, heads, t, t, causal), heads, tq: t, tk: t }));
    const got = rollout(layers);
    const want = rolloutRef(layers);
    let maxDiff = 0;
    for (let i = 0; i < t; i++) {
      let rowSum = 0;
      for (let j = 0; j < t; j++) {
        maxDiff = Math.max(maxDiff, Math.abs(got.values[i * t + j] - want[i][j]));
        rowSum += got.values[i * t + j];
        if (causal && j > i) expect(got.values[i * t + j]).toBe(0); // no flow from the future
      }
      expect(rowSum).toBeCloseTo(1, 12);
    }
    console.log(`rollout ${count}x[${heads},${t},${t}] max |diff| vs reference: ${maxDiff.toExponential(2)}`);
    expect(maxDiff).toBeLessThan(1e-12);
  });

  test('refuses cross attention and mismatched sizes, naming the shapes', () => {
    const probs = new Float32Array(2 * 3 * 4).fill(0.25);
    expect(() => rollout([{ probs, heads: 2, tq: 3, tk: 4 }])).toThrow(/\[2, 3, 4\].*square/);
    expect(() => rollout([{ probs, heads: 2, tq: 3, tk: 3 }])).toThrow(/probs has 24 values/);
  });
});

describe('renormalize after hiding special tokens', () => {
  test('rows sum to 1 over kept tokens and match a reference', () => {
    const rand = rng(5);
    const tokens = ['[CLS]', '我', '喜', '欢', '猫', '[SEP]', 'the', 'cat', '[SEP]', '[PAD]', '[PAD]'];
    const t = tokens.length;
    const heads = 2;
    const layer = { probs: randomAttention(rand, heads, t, t), heads, tq: t, tk: t };
    const keep = keptIndices(tokens, true);
    expect(keep.map((i) => tokens[i])).toEqual(['我', '喜', '欢', '猫', 'the', 'cat']);
    for (let h = 0; h < heads; h++) {
      const got = renormalize(headMatrix(layer, h), keep);
      expect([got.rows, got.cols]).toEqual([keep.length, keep.length]);
      const full = toMat(layer.probs, h, t, t);
      keep.forEach((qi, r) => {
        const kept = keep.map((kj) => full[qi][kj]);
        const sum = kept.reduce((a, b) => a + b, 0);
        let rowSum = 0;
        keep.forEach((_, c) => {
          rowSum += got.values[r * keep.length + c];
          expect(got.values[r * keep.length + c]).toBeCloseTo(kept[c] / sum, 6);
        });
        expect(rowSum).toBeCloseTo(1, 5);
      });
    }
  });

  test('cross attention keeps rows and columns separately; a row with nothing kept stays zero', () => {
    const values = Float32Array.from([
      0.5, 0.5, 0, // query 0
      1, 0, 0, // query 1: all on key 0, which is hidden
    ]);
    const got = renormalize({ values, rows: 2, cols: 3 }, [0, 1], [1, 2]);
    expect([...got.values]).toEqual([1, 0, 0, 0]);
    expect(() => renormalize({ values, rows: 2, cols: 3 }, [2])).toThrow(/row 2 out of/);
  });

  test('tokens flagged special by the tokenizer are hidden whatever their text', () => {
    expect(keptIndices([{ text: '<extra_id_0>', special: true }, { text: 'a' }, { text: '[CLS]', special: false }], true)).toEqual([1, 2]);
    expect(keptIndices(['[CLS]', 'a'], false)).toEqual([0, 1]);
  });
});
