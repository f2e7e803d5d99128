// lastAtMost, the one binary search over sorted number lists (split ranges, shard starts, NSP pair counts).
import { expect, test } from 'vitest';
import { lastAtMost } from '../../../src/engine/data/number-list';

test('lastAtMost: the last index with a value <= x, repeats and bounds included, -1 below the first', () => {
  const list = Float64Array.from([0, 0, 2, 5, 5, 9]);
  const linear = (x: number, end = list.length) => { let r = -1; for (let i = 0; i < end; i++) if (list[i] <= x) r = i; return r; };
  for (let x = -1; x <= 10; x++) {
    expect(lastAtMost(list, x), `x = ${x}`).toBe(linear(x));
    expect(lastAtMost(list, x, 4), `x = ${x}, end 4`).toBe(linear(x, 4));
  }
  expect(lastAtMost(new Float64Array(0), 3)).toBe(-1);
});
