import { describe, expect, test } from 'vitest';
import { decimateMinMax } from '../../../src/renderer/lib/charts/decimate.ts';
import { EmaCache } from '../../../src/renderer/lib/charts/smooth.ts';
import { rng } from './random.ts';

/** Brute force: every bucket's min and max value must be among the kept points of that bucket. */
function checkKeepsExtremes(ys: Float64Array, buckets: number): number {
  const n = ys.length;
  const xs = Float64Array.from(ys, (_, i) => i * 10); // steps, spaced like logged steps
  const d = decimateMinMax(xs, ys, n, buckets);
  expect(d.length).toBeLessThanOrEqual(2 * buckets + 2);
  expect(d.x[0]).toBe(xs[0]);
  expect(d.x[d.length - 1]).toBe(xs[n - 1]);
  const keptIndex: number[] = [];
  for (let k = 0; k < d.length; k++) {
    if (k > 0 && !(d.x[k] > d.x[k - 1])) throw new Error(`kept points out of x order at ${k}`);
    const i = d.x[k] / 10;
    if (d.y[k] !== ys[i]) throw new Error(`kept point ${k} is not data point ${i}`);
    keptIndex.push(i);
  }
  let k = 0; // kept points are x-ascending: walk them bucket by bucket
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    let min = Infinity;
    let max = -Infinity;
    for (let i = start; i < end; i++) {
      min = Math.min(min, ys[i]);
      max = Math.max(max, ys[i]);
    }
    const kept: number[] = [];
    while (k < keptIndex.length && keptIndex[k] < end) kept.push(ys[keptIndex[k++]]);
    if (!kept.includes(min) || !kept.includes(max)) {
      throw new Error(`bucket ${b} [${start}, ${end}) lost its min ${min} or max ${max}; kept ${kept.join(', ')}`);
    }
  }
  return d.length;
}

describe('decimateMinMax', () => {
  test.each([1, 7, 42])('keeps every bucket extreme of a random walk with spikes (seed %i)', (seed) => {
    const rand = rng(seed);
    const n = 20_000 + Math.floor(rand() * 5000);
    const ys = new Float64Array(n);
    let v = 5;
    for (let i = 0; i < n; i++) {
      v += (rand() - 0.5) * 0.1;
      ys[i] = rand() < 0.001 ? v * 20 : v; // rare loss spikes must survive
    }
    checkKeepsExtremes(ys, 97 + seed);
  });

  test('keeps the extremes of 100k+ points quickly', () => {
    const rand = rng(3);
    const n = 250_000;
    const ys = Float64Array.from({ length: n }, () => rand());
    ys[123_457] = 99; // one spike
    ys[200_001] = -99; // one dip
    const xs = Float64Array.from(ys, (_, i) => i);
    decimateMinMax(xs, ys, n, 1000); // warm up the JIT
    const t0 = performance.now();
    const d = decimateMinMax(xs, ys, n, 1000);
    const ms = performance.now() - t0;
    console.log(`decimateMinMax: ${n} points -> ${d.length} in ${ms.toFixed(1)} ms (shared 2-core machine)`);
    expect([...d.y.subarray(0, d.length)]).toContain(99);
    expect([...d.y.subarray(0, d.length)]).toContain(-99);
    expect(ms).toBeLessThan(500); // ~5 ms idle; generous for a shared, loaded machine
    checkKeepsExtremes(ys.subarray(0, 100_003), 1000);
  });

  test('returns short series whole and skips non-finite values', () => {
    const ys = Float64Array.from([3, NaN, 1, 2]);
    const d = decimateMinMax([0, 1, 2, 3], ys, 4, 10);
    expect([...d.y.subarray(0, d.length)]).toEqual([3, 1, 2]);
    expect(() => decimateMinMax([0], [0], 2, 10)).toThrow(/n=2 exceeds/);
  });
});

describe('EmaCache', () => {
  test('incremental appends equal a full debiased recomputation', () => {
    const rand = rng(11);
    const ys = Float64Array.from({ length: 500 }, () => rand() * 4);
    const weight = 0.9;
    const cache = new EmaCache();
    for (const n of [1, 17, 130, 131, 500]) cache.update(ys, n, weight);
    const got = cache.update(ys, 500, weight);
    let last = 0;
    for (let i = 0; i < 500; i++) {
      last = last * weight + (1 - weight) * ys[i];
      expect(got[i]).toBeCloseTo(last / (1 - weight ** (i + 1)), 12);
    }
    const before = got[10];
    ys[10] += 1; // rewritten history (resume): a new epoch forces recomputation
    expect(cache.update(ys, 500, weight, 1)[10]).not.toBe(before);
  });
});
