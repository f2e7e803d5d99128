// Head statistics (src/engine/inspect/head-stats.ts) against closed forms and against a float64
// reference written here independently (per sentence, per row, in plain arrays), and the
// difference of two maps (compare.ts) with its refusals.
import { describe, expect, test } from 'vitest';
import { attentionDifference, headStats } from '../../../src/engine/inspect';
import { testRng as rng } from '../generate/reference-gpt';

/** Random row distributions [H][t][t] in float64 (causal: keys past the query get 0). */
function randomMaps(H: number, t: number, causal: boolean, next: () => number): number[][][] {
  return Array.from({ length: H }, () =>
    Array.from({ length: t }, (_, i) => {
      const w = Array.from({ length: t }, (_, j) => (causal && j > i ? 0 : Math.exp(3 * next())));
      const z = w.reduce((a, b) => a + b, 0);
      return w.map((x) => x / z);
    }),
  );
}

function flat(maps: number[][][]): Float32Array {
  return Float32Array.from(maps.flat(2));
}

/** The reference: means over every query row of every sentence, in float64, from the float32 values. */
function reference(sentences: { tokens: string[]; maps: number[][][][] }[], L: number, H: number) {
  const out: { entropy: number; distance: number; first: number; cls: number | null; sep: number | null }[] = [];
  for (let l = 0; l < L; l++) {
    for (let h = 0; h < H; h++) {
      const e: number[] = [], d: number[] = [], f: number[] = [], c: number[] = [], s: number[] = [];
      for (const sent of sentences) {
        const m = sent.maps[l][h].map((row) => row.map((p) => Math.fround(p)));
        for (let i = 0; i < m.length; i++) {
          e.push(-m[i].reduce((a, p) => a + (p > 0 ? p * Math.log(p) : 0), 0));
          d.push(m[i].reduce((a, p, j) => a + p * Math.abs(i - j), 0));
          f.push(m[i][0]);
          if (sent.tokens.includes('[CLS]')) c.push(m[i].reduce((a, p, j) => a + (sent.tokens[j] === '[CLS]' ? p : 0), 0));
          if (sent.tokens.includes('[SEP]')) s.push(m[i].reduce((a, p, j) => a + (sent.tokens[j] === '[SEP]' ? p : 0), 0));
        }
      }
      const mean = (x: number[]) => (x.length ? x.reduce((a, b) => a + b, 0) / x.length : null);
      out.push({ entropy: mean(e)!, distance: mean(d)!, first: mean(f)!, cls: mean(c), sep: mean(s) });
    }
  }
  return out;
}

describe('head statistics', () => {
  test('closed forms: uniform attention has entropy ln t and distance (t²−1)/3t; a diagonal head has 0 and 0', () => {
    const t = 5;
    const uniform = new Float32Array(t * t).fill(1 / t);
    const diagonal = new Float32Array(t * t);
    for (let i = 0; i < t; i++) diagonal[i * t + i] = 1;
    const layer = new Float32Array(2 * t * t);
    layer.set(uniform, 0);
    layer.set(diagonal, t * t);
    const tokens = ['[CLS]', 'a', 'b', 'c', '[SEP]'];
    const [u, dg] = headStats([{ tokens, layers: [layer] }], 1, 2);
    expect(u.entropy).toBeCloseTo(Math.log(t), 6);
    expect(u.distance).toBeCloseTo((t * t - 1) / (3 * t), 6);
    expect(u.cls).toBeCloseTo(1 / t, 6);
    expect(u.sep).toBeCloseTo(1 / t, 6);
    expect(u.first).toBeCloseTo(1 / t, 6);
    expect(dg).toMatchObject({ layer: 0, head: 1, entropy: 0, distance: 0 });
    expect(dg.cls).toBeCloseTo(1 / t, 12); // only row 0 attends to [CLS]
    expect(dg.first).toBeCloseTo(1 / t, 12);
  });

  test('random maps over several sentences equal the float64 reference (≤ 1e-9)', () => {
    const next = rng(42);
    const L = 2, H = 3;
    for (const causal of [false, true]) {
      const sentences = [
        { tokens: ['[CLS]', '猫', '在', '垫', '[SEP]'], maps: [] as number[][][][] },
        { tokens: ['T', 'h', 'e', ' ', 'c', 'a', 't'], maps: [] as number[][][][] },
        { tokens: ['[CLS]', 'x', '[SEP]', 'y', '[SEP]'], maps: [] as number[][][][] },
      ];
      for (const s of sentences) s.maps = Array.from({ length: L }, () => randomMaps(H, s.tokens.length, causal, next));
      const got = headStats(sentences.map((s) => ({ tokens: s.tokens, layers: s.maps.map(flat) })), L, H);
      const want = reference(sentences, L, H);
      expect(got).toHaveLength(L * H);
      let worst = 0;
      got.forEach((g, k) => {
        expect([g.layer, g.head]).toEqual([Math.floor(k / H), k % H]);
        for (const key of ['entropy', 'distance', 'first', 'cls', 'sep'] as const) {
          const w = want[k][key];
          expect(w).not.toBeNull();
          worst = Math.max(worst, Math.abs((g[key] as number) - (w as number)));
        }
      });
      console.log(`head stats (${causal ? 'causal' : 'bidirectional'}): max |diff| vs float64 reference ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-9);
    }
  });

  test('no [CLS]/[SEP] in any sentence: null shares; a map of the wrong size is refused naming it', () => {
    const t = 3;
    const layer = new Float32Array(t * t).fill(1 / t);
    const [s] = headStats([{ tokens: ['a', 'b', 'c'], layers: [layer] }], 1, 1);
    expect(s.cls).toBeNull();
    expect(s.sep).toBeNull();
    expect(() => headStats([{ tokens: ['a', 'b'], layers: [layer] }], 1, 1)).toThrow(/sentence 0 layer 0 has 9 values, expected 1×2×2/);
    expect(() => headStats([], 1, 1)).toThrow(/no sentences/);
  });
});

describe('attention difference', () => {
  test('b − a cell by cell; different tokens or shapes are refused', () => {
    const a = { ids: [1, 2], layers: [Float32Array.of(1, 0, 0.5, 0.5)] };
    const b = { ids: [1, 2], layers: [Float32Array.of(1, 0, 0.25, 0.75)] };
    const shape = { a: { nLayer: 1, nHead: 1 }, b: { nLayer: 1, nHead: 1 } };
    expect(Array.from(attentionDifference(a, b, shape)[0])).toEqual([0, 0, -0.25, 0.25]);
    expect(() => attentionDifference(a, { ...b, ids: [1, 3] }, shape)).toThrow(/tokenized differently/);
    expect(() => attentionDifference(a, b, { a: { nLayer: 1, nHead: 1 }, b: { nLayer: 2, nHead: 1 } })).toThrow(/differ in shape/);
  });
});
