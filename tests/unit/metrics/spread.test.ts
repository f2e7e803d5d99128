// Mean and sample standard deviation of seeded repeats, against values computed by hand (and by
// Python's statistics.stdev: stdev([0.7, 0.72, 0.68]) = 0.02).
import { expect, test } from 'vitest';
import { spread } from '../../../src/engine/metrics/spread';

test('mean and sample std (n - 1) of three seeds', () => {
  const s = spread([0.7, 0.72, 0.68]);
  expect(s.n).toBe(3);
  expect(s.mean).toBeCloseTo(0.7, 12);
  expect(s.std).toBeCloseTo(0.02, 12);
  expect(s.min).toBe(0.68);
  expect(s.max).toBe(0.72);
});

test('sample, not population, std: [1, 2, 3, 4] gives sqrt(5/3)', () => {
  expect(spread([1, 2, 3, 4]).std).toBeCloseTo(Math.sqrt(5 / 3), 12);
  expect(spread([4, 1, 3, 2]).mean).toBe(2.5);
});

test('one value has no spread; equal values neither', () => {
  expect(spread([0.555])).toEqual({ n: 1, mean: 0.555, std: 0, min: 0.555, max: 0.555 });
  expect(spread([0.5, 0.5, 0.5]).std).toBe(0);
});

test('refuses no values and non-finite ones, naming the position', () => {
  expect(() => spread([])).toThrow(/no values/);
  expect(() => spread([0.5, Number.NaN])).toThrow(/value 1 is NaN/);
});
