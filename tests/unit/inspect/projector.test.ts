// The projector's arithmetic: PCA against torch's float64 eigendecomposition of the covariance
// (tests/goldens/pca.json, scripts/goldens/make_pca.py), its sign convention; cosine neighbours
// against a brute-force ranking computed another way (normalise, then dot); token classes; which
// tokens a large vocabulary keeps; UMAP's determinism under a seed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { eigenSymmetric } from '../../../src/engine/inspect/eigen-symmetric';
import { cosineNeighbours } from '../../../src/engine/inspect/neighbours';
import { pca } from '../../../src/engine/inspect/pca';
import { pointsOf } from '../../../src/engine/inspect/projector';
import { tokenClass } from '../../../src/engine/inspect/token-class';
import { chooseTokens } from '../../../src/engine/inspect/token-table';
import { umapProject } from '../../../src/engine/inspect/umap';
import { trainTokenizer } from '../../../src/engine/tokenizers';

interface PcaCase { name: string; n: number; d: number; k: number; x: number[]; variance: number[]; varianceRatio: number[]; coords: number[] }
const golden = JSON.parse(readFileSync(join(__dirname, '..', '..', 'goldens', 'pca.json'), 'utf8')) as { cases: PcaCase[] };

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

describe('PCA against torch.linalg.eigh (float64)', () => {
  for (const c of golden.cases) {
    test(c.name, () => {
      const r = pca(c.x, c.n, c.d, c.k);
      const scale = Math.max(...c.coords.map(Math.abs));
      let maxDiff = 0;
      for (let axis = 0; axis < c.k; axis++) {
        // An eigenvector's sign is arbitrary: align each axis with the reference's before comparing.
        let dot = 0;
        for (let i = 0; i < c.n; i++) dot += r.coords[i * c.k + axis] * c.coords[i * c.k + axis];
        const sign = dot < 0 ? -1 : 1;
        for (let i = 0; i < c.n; i++) maxDiff = Math.max(maxDiff, Math.abs(sign * r.coords[i * c.k + axis] - c.coords[i * c.k + axis]));
        expect(r.variance[axis]).toBeCloseTo(c.variance[axis], 10);
        expect(r.varianceRatio[axis]).toBeCloseTo(c.varianceRatio[axis], 10);
      }
      console.log(`pca ${c.name}: max |coord diff| ${maxDiff.toExponential(2)} (coords up to ${scale.toFixed(3)}), ${r.iterations} iterations`);
      expect(r.converged).toBe(true);
      expect(maxDiff / scale).toBeLessThan(1e-8);
    });
  }

  test('sign convention: each component\'s largest loading is positive, whatever the data\'s sign', () => {
    const c = golden.cases[0];
    const a = pca(c.x, c.n, c.d, c.k);
    const b = pca(c.x.map((v) => -v), c.n, c.d, c.k); // same axes, flipped data
    for (let axis = 0; axis < c.k; axis++) {
      const w = Array.from(a.components.subarray(axis * c.d, (axis + 1) * c.d));
      const big = w.reduce((best, v, j) => (Math.abs(v) > Math.abs(w[best]) ? j : best), 0);
      expect(w[big]).toBeGreaterThan(0);
      // Flipping the data flips the coordinates, not the axes.
      for (let i = 0; i < c.n; i++) expect(b.coords[i * c.k + axis]).toBeCloseTo(-a.coords[i * c.k + axis], 9);
    }
  });

  test('refuses what it cannot do, naming it', () => {
    expect(() => pca([1, 2, 3], 1, 3, 2)).toThrow(/at least 2 points/);
    expect(() => pca([1, 2, 3, 4], 2, 2, 3)).toThrow(/cannot take 3 components of 2-dimensional/);
    expect(() => pca([1, 2, 3], 2, 2, 1)).toThrow(/3 values for 2 points of 2 dimensions/);
  });
});

test('Jacobi eigendecomposition reconstructs its matrix (A v = λ v)', () => {
  const r = rng(3);
  const n = 7;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = r();
  const { values, vectors } = eigenSymmetric(a, n);
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let j = 0; j < n; j++) av += a[i * n + j] * vectors[j * n + c];
      expect(av).toBeCloseTo(values[c] * vectors[i * n + c], 10);
    }
    if (c > 0) expect(values[c]).toBeLessThanOrEqual(values[c - 1]);
  }
});

describe('cosine nearest neighbours', () => {
  test('equal a brute-force ranking of normalised rows', () => {
    const r = rng(11);
    const n = 300, d = 24, k = 10;
    const data = Float32Array.from({ length: n * d }, () => r());
    const unit = Array.from({ length: n }, (_, i) => {
      const row = Array.from(data.subarray(i * d, (i + 1) * d), Number);
      const norm = Math.hypot(...row);
      return row.map((v) => v / norm);
    });
    for (const query of [0, 17, 299]) {
      const want = unit
        .map((row, i) => ({ index: i, score: row.reduce((s, v, j) => s + v * unit[query][j], 0) }))
        .filter((x) => x.index !== query)
        .sort((a, b) => b.score - a.score)
        .slice(0, k);
      const got = cosineNeighbours(data, n, d, query, k);
      expect(got.map((x) => x.index)).toEqual(want.map((x) => x.index));
      got.forEach((x, i) => expect(x.score).toBeCloseTo(want[i].score, 12));
    }
  });

  test('a duplicated row scores 1, an opposite one -1; a zero row has no direction', () => {
    const data = [1, 2, 3, 2, 4, 6, -1, -2, -3, 0, 0, 0];
    const got = cosineNeighbours(data, 4, 3, 0, 3);
    expect(got.map((x) => x.index)).toEqual([1, 3, 2]);
    expect(got[0].score).toBeCloseTo(1, 12);
    expect(got[1].score).toBe(0);
    expect(got[2].score).toBeCloseTo(-1, 12);
    expect(() => cosineNeighbours(data, 4, 3, 4, 3)).toThrow(/query row 4 is outside 0..3/);
  });
});

test('token classes: Han, Latin, digit, punctuation, special, other', () => {
  expect(tokenClass('猫', false)).toBe('han');
  expect(tokenClass('垫子', false)).toBe('han');
  expect(tokenClass('cat', false)).toBe('latin');
  expect(tokenClass(' The', false)).toBe('latin');
  expect(tokenClass('é', false)).toBe('latin');
  expect(tokenClass('42', false)).toBe('digit');
  expect(tokenClass('。', false)).toBe('punctuation');
  expect(tokenClass(',', false)).toBe('punctuation');
  expect(tokenClass('$', false)).toBe('punctuation');
  expect(tokenClass('[CLS]', true)).toBe('special');
  expect(tokenClass('\ufffd', false)).toBe('other'); // a byte-level piece of a multi-byte character
  expect(tokenClass(' ', false)).toBe('other');
  expect(tokenClass('ж', false)).toBe('other');
});

test('a large vocabulary keeps its most frequent tokens, else its lowest ids; a small one keeps all', () => {
  expect(chooseTokens(5, 10, null)).toEqual({ ids: [0, 1, 2, 3, 4], selection: 'all' });
  expect(chooseTokens(6, 3, null)).toEqual({ ids: [0, 1, 2], selection: 'lowest-ids' });
  const counts = Float64Array.from([0, 9, 2, 9, 7, 1]);
  expect(chooseTokens(6, 3, counts)).toEqual({ ids: [1, 3, 4], selection: 'most-frequent' });
});

describe('UMAP (umap-js, seeded)', () => {
  // Two well separated clusters of 20 points each in 8 dimensions.
  const r = rng(5);
  const n = 40, d = 8;
  const data = Float64Array.from({ length: n * d }, (_, i) => {
    const row = Math.floor(i / d), j = i % d;
    const centre = row < 20 ? (j < 4 ? 1 : 0) : (j < 4 ? 0 : 1);
    return centre + 0.05 * r();
  });

  test('the same seed gives the same layout, another seed another', async () => {
    const a = await umapProject(data, n, d, 2, { seed: 7 });
    const b = await umapProject(data, n, d, 2, { seed: 7 });
    const c = await umapProject(data, n, d, 2, { seed: 8 });
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
  });

  test('keeps the clusters apart (3D)', async () => {
    const y = await umapProject(data, n, d, 3, { seed: 1 });
    const centroid = (from: number) => [0, 1, 2].map((c) => Array.from({ length: 20 }, (_, i) => y[(from + i) * 3 + c]).reduce((s, v) => s + v, 0) / 20);
    const [a, b] = [centroid(0), centroid(20)];
    const spread = (from: number, m: number[]) => Math.max(...Array.from({ length: 20 }, (_, i) => Math.hypot(...[0, 1, 2].map((c) => y[(from + i) * 3 + c] - m[c]))));
    const between = Math.hypot(...a.map((v, c) => v - b[c]));
    expect(between).toBeGreaterThan(Math.max(spread(0, a), spread(20, b)));
  });

  test('yields to the event loop while it optimises (a training run shares the engine host)', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    await umapProject(data, n, d, 2, { seed: 3, nEpochs: 50 });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(10);
  });

  test('refuses too few points', async () => {
    await expect(umapProject([1, 2, 3, 4, 5, 6], 3, 2, 2)).rejects.toThrow(/at least 4 points, got 3/);
  });
});

describe('points: labels and classes from a real tokenizer', () => {
  test('WordPiece marks are dropped, specials keep their names, whitespace is made visible', async () => {
    const wp = await trainTokenizer(['the cat sat on the mat, 猫在垫子上睡觉 42 times'], { kind: 'wordpiece', vocabSize: 200 });
    const ids = ['[CLS]', 'the', '猫', '4', ','].map((t) => wp.tokenToId(t)!);
    expect(pointsOf(wp, ids).map((p) => [p.text, p.cls])).toEqual([['[CLS]', 'special'], ['the', 'latin'], ['猫', 'han'], ['4', 'digit'], [',', 'punctuation']]);
    const cont = [...Array(wp.vocabSize).keys()].find((id) => wp.idToToken(id)!.startsWith('##'))!;
    expect(pointsOf(wp, [cont])[0].text).toBe(wp.idToToken(cont)!.slice(2));
    const chars = await trainTokenizer(['a b\nc'], { kind: 'char', vocabSize: 100, specials: [] });
    const space = pointsOf(chars, [chars.tokenToId(' ')!])[0];
    expect([space.text, space.cls]).toEqual(['␣', 'other']);
  });
});
