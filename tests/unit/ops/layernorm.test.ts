import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { setRowStrategy } from '../../../src/engine/ops/util';
import { layernormBackward, layernormForward, residualLayernormForward } from '../../../src/engine/ops/layernorm';
import { dot, numericalGradient, relError } from '../../../src/engine/reference/fd';
import * as ref from '../../../src/engine/reference/layernorm';
import { expectClose, Pool, randn } from './helpers';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

const add = (a: ArrayLike<number>, b: ArrayLike<number>) => Float64Array.from(a, (x, i) => x + b[i]);

describe.each(['thread', 'workgroup'] as const)('%s-per-row kernels', (strategy) => {
  beforeAll(() => setRowStrategy(ctx, strategy));
  afterAll(() => setRowStrategy(ctx, undefined));

  test.each([
    [1, 1, false],
    [3, 17, true],
    [17, 65, false],
    [130, 3, true],
    [65, 130, true],
    [200, 384, false],
    [7, 12, true], // vec4 rows with the fused residual
  ])('forward and backward vs float64 (N=%i C=%i residual=%s)', async (N, C, residual) => {
    const pool = new Pool(ctx);
    const a = randn(N * C, 2);
    const b = randn(N * C);
    const gamma = randn(C);
    const beta = randn(C);
    const dOut = randn(N * C);
    const dx0 = randn(N * C);
    const dg0 = randn(C);
    const db0 = randn(C);
    const tA = pool.from(a, [N, C]);
    const tB = pool.from(b, [N, C]);
    const tGamma = pool.from(gamma, [C]);
    const out = pool.empty([N, C]);
    const mean = pool.empty([N]);
    const rstd = pool.empty([N]);
    const resOut = pool.empty([N, C]);
    const dx = pool.from(dx0, [N, C]);
    const dgamma = pool.from(dg0, [C]);
    const dbeta = pool.from(db0, [C]);
    const rec = new Recorder(ctx);
    const dims = { N, C };
    if (residual) residualLayernormForward(rec, resOut, out, mean, rstd, tA, tB, tGamma, pool.from(beta, [C]), dims);
    else layernormForward(rec, out, mean, rstd, tA, tGamma, pool.from(beta, [C]), dims);
    layernormBackward(rec, dx, dgamma, dbeta, pool.from(dOut, [N, C]), residual ? resOut : tA, tGamma, mean, rstd, dims);
    await rec.run();

    const x = residual ? add(a, b) : Float64Array.from(a);
    const want = ref.layernormForward(x, gamma, beta, N, C);
    if (residual) expectClose('resOut', await resOut.read(), x);
    expectClose('out', await out.read(), want.out);
    expectClose('mean', await mean.read(), want.mean);
    expectClose('rstd', await rstd.read(), want.rstd);
    const grads = ref.layernormBackward(dOut, x, gamma, want.mean, want.rstd, N, C);
    expectClose('dx (accumulated)', await dx.read(), add(grads.dx, dx0));
    expectClose('dgamma (accumulated)', await dgamma.read(), add(grads.dgamma, dg0));
    expectClose('dbeta (accumulated)', await dbeta.read(), add(grads.dbeta, db0));
    rec.destroy();
    pool.free();
  });
});

test('the reference backward matches finite differences', () => {
  const N = 3;
  const C = 5;
  const x = Float64Array.from(randn(N * C));
  const gamma = Float64Array.from(randn(C));
  const beta = Float64Array.from(randn(C));
  const w = randn(N * C);
  const f = (xx: Float64Array, g: Float64Array, bb: Float64Array) => dot(ref.layernormForward(xx, g, bb, N, C).out, w);
  const fwd = ref.layernormForward(x, gamma, beta, N, C);
  const grads = ref.layernormBackward(w, x, gamma, fwd.mean, fwd.rstd, N, C);
  expect(relError(grads.dx, numericalGradient((v) => f(v, gamma, beta), x))).toBeLessThan(1e-6);
  expect(relError(grads.dgamma, numericalGradient((v) => f(x, v, beta), gamma))).toBeLessThan(1e-6);
  expect(relError(grads.dbeta, numericalGradient((v) => f(x, gamma, v), beta))).toBeLessThan(1e-6);
});
