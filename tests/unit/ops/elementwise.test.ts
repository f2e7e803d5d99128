import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { setRowStrategy } from '../../../src/engine/ops/util';
import { geluBackward, geluForward } from '../../../src/engine/ops/gelu';
import { residualBackward, residualForward } from '../../../src/engine/ops/residual';
import { dot, numericalGradient, relError } from '../../../src/engine/reference/fd';
import { tanhBackward, tanhForward } from '../../../src/engine/ops/tanh';
import * as ref from '../../../src/engine/reference/gelu';
import * as th from '../../../src/engine/reference/tanh';
import { expectClose, Pool, randn } from './helpers';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

const add = (a: ArrayLike<number>, b: ArrayLike<number>) => Float64Array.from(a, (x, i) => x + b[i]);

describe.each(['thread', 'workgroup'] as const)('%s launch shape', (strategy) => {
  beforeAll(() => setRowStrategy(ctx, strategy));
  afterAll(() => setRowStrategy(ctx, undefined));

  test.each([1, 3, 17, 65, 130, 70000])('gelu forward and backward vs float64 (n=%i)', async (n) => {
    const pool = new Pool(ctx);
    const x = randn(n, 3);
    x[0] = n > 1 ? 40 : -40; // saturated tanh must not overflow to NaN
    const dOut = randn(n);
    const dx0 = randn(n);
    const tX = pool.from(x, [n]);
    const out = pool.empty([n]);
    const dx = pool.from(dx0, [n]);
    const rec = new Recorder(ctx);
    geluForward(rec, out, tX);
    geluBackward(rec, dx, pool.from(dOut, [n]), tX);
    await rec.run();
    expectClose('gelu', await out.read(), ref.geluForward(x));
    expectClose('dx (accumulated)', await dx.read(), add(ref.geluBackward(dOut, x), dx0));
    rec.destroy();
    pool.free();
  });
});

test.each([1, 17, 130])('residual add forward and backward (n=%i)', async (n) => {
  const pool = new Pool(ctx);
  const a = randn(n);
  const b = randn(n);
  const dOut = randn(n);
  const da0 = randn(n);
  const db0 = randn(n);
  const out = pool.empty([n]);
  const da = pool.from(da0, [n]);
  const db = pool.from(db0, [n]);
  const rec = new Recorder(ctx);
  residualForward(rec, out, pool.from(a, [n]), pool.from(b, [n]));
  residualBackward(rec, da, db, pool.from(dOut, [n]));
  await rec.run();
  expectClose('out', await out.read(), add(a, b));
  expectClose('da', await da.read(), add(dOut, da0));
  expectClose('db', await db.read(), add(dOut, db0));
  rec.destroy();
  pool.free();
});

test('the gelu reference backward matches finite differences', () => {
  const x = Float64Array.from(randn(9, 2));
  const w = randn(9);
  expect(relError(ref.geluBackward(w, x), numericalGradient((v) => dot(ref.geluForward(v), w), x))).toBeLessThan(1e-7);
});

test.each([1, 17, 130, 5000])('tanh forward and backward vs float64 (n=%i)', async (n) => {
  const pool = new Pool(ctx);
  const x = randn(n, 2);
  x[0] = n > 1 ? 1e4 : -1e4; // saturated: must be exactly +-1, not NaN
  const dOut = randn(n);
  const dx0 = randn(n);
  const y = pool.empty([n]);
  const dx = pool.from(dx0, [n]);
  const rec = new Recorder(ctx);
  tanhForward(rec, y, pool.from(x, [n]));
  tanhBackward(rec, dx, pool.from(dOut, [n]), y);
  await rec.run();
  const want = th.tanhForward(x);
  expectClose('tanh', await y.read(), want);
  expectClose('dx (accumulated)', await dx.read(), add(th.tanhBackward(dOut, want), dx0));
  rec.destroy();
  pool.free();
});

test('the tanh reference backward matches finite differences', () => {
  const x = Float64Array.from(randn(9, 2));
  const w = randn(9);
  expect(relError(th.tanhBackward(w, th.tanhForward(x)), numericalGradient((v) => dot(th.tanhForward(v), w), x))).toBeLessThan(1e-7);
});
