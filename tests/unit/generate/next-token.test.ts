import { expect, test } from 'vitest';
import { softmax64, topCandidates } from '../../../src/engine/generate/next-token';

test('softmax64 sums to 1, keeps order, and survives logits far beyond exp range', () => {
  const p = softmax64(new Float32Array([1000, 999, 990, -1000]));
  expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  expect(p[0] / p[1]).toBeCloseTo(Math.E, 9);
  expect(p[3]).toBe(0);
  expect(() => softmax64(new Float32Array([NaN, NaN]))).toThrow(/no finite maximum/);
});

test('topCandidates equals a full sort (ties: lower id first) for k below, at and above V', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const probs = new Float64Array(200).map(() => Math.round(rand() * 50) / 50); // many ties
  const sorted = [...probs.keys()].sort((a, b) => probs[b] - probs[a] || a - b);
  for (const k of [0, 1, 5, 37, 200, 500]) {
    expect(topCandidates(probs, k).map((c) => c.id)).toEqual(sorted.slice(0, k));
  }
});
