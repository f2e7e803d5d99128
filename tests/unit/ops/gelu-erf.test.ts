// The exact (erf) GELU kernel against a float64 reference, whose erfc is checked against published
// values and whose backward is checked by finite differences. Sizes are not multiples of the
// 4-lane vectors or the 256-thread workgroups, so tails and the scalar path both run.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { geluBackward, geluForward } from '../../../src/engine/ops/gelu';
import { dot, numericalGradient, relError } from '../../../src/engine/reference/fd';
import * as ref from '../../../src/engine/reference/gelu';
import { expectClose, Pool, randn } from './helpers';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

test('the float64 erfc matches published values on both sides of the series / fraction switch', () => {
  // Python's math.erfc (the C library's, correctly rounded to ~1 ulp).
  const cases: [number, number][] = [
    [0, 1], [0.5, 0.4795001221869535], [1, 0.15729920705028513], [2, 0.004677734981047265],
    [2.4999, 0.0004071699003334514], [2.5, 0.0004069520174449589], [3, 2.2090496998585438e-5], [5, 1.5374597944280351e-12],
    [-1, 1.8427007929497148], [-3, 1.999977909503001],
  ];
  for (const [x, want] of cases) expect(Math.abs(ref.erfc(x) - want) / want, `erfc(${x})`).toBeLessThan(2e-9);
});

test('the erf GELU reference backward matches finite differences', () => {
  const x = Float64Array.from(randn(13, 2.5));
  x[0] = 3.1; // past the series / continued fraction switch at |x / sqrt 2| = 2.5
  x[1] = -4.2;
  const w = randn(13);
  expect(relError(ref.geluErfBackward(w, x), numericalGradient((v) => dot(ref.geluErfForward(v), w), x))).toBeLessThan(1e-7);
});

test('erf and tanh GELU differ measurably (the form is not silently ignored)', () => {
  const x = [1.5];
  expect(Math.abs(ref.geluErfForward(x)[0] - ref.geluForward(x)[0])).toBeGreaterThan(1e-4);
});

test.each([1, 3, 17, 130, 1029])('erf gelu forward and backward vs float64 (n=%i)', async (n) => {
  const pool = new Pool(ctx);
  const x = randn(n, 3);
  x[0] = n > 1 ? 40 : -40; // saturated: exp underflow must give x (or 0), not NaN
  if (n > 2) x[1] = -9; // the far tail, where 1 + erf(x) would cancel to 0 in f32
  const dOut = randn(n);
  const dx0 = randn(n);
  const tX = pool.from(x, [n]);
  const out = pool.empty([n]);
  const dx = pool.from(dx0, [n]);
  const rec = new Recorder(ctx);
  geluForward(rec, out, tX, 'gelu');
  geluBackward(rec, dx, pool.from(dOut, [n]), tX, 'gelu');
  await rec.run();
  const got = await out.read();
  expectClose('gelu (erf)', got, ref.geluErfForward(x));
  if (n > 2) {
    // gelu(-9) ~ -1.0e-18: relative accuracy in the tail, which a 1 + erf form loses entirely.
    const want = ref.geluErfForward([-9])[0];
    expect(Math.abs(got[1] - want) / Math.abs(want)).toBeLessThan(1e-5);
  }
  expectClose('dx (accumulated)', await dx.read(), Float64Array.from(ref.geluErfBackward(dOut, x), (v, i) => v + dx0[i]));
  rec.destroy();
  pool.free();
});
