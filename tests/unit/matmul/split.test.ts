// Splitting past adapter limits, with artificially small limits (the real ones are too big to test):
// bindings past maxStorageBufferBindingSize and grids past maxComputeWorkgroupsPerDimension become
// several dispatches with the same result. Also: shape errors, broadcast, and the vec4 fallback.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { matmul } from '../../../src/engine/ops/matmul';
import { runCase } from './case';
import { matmulRef, randomArray, relError } from './reference';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

const TOL = 1e-4;
const STRATEGIES = ['vec4.4x4.wg8x8', 'tiled.32x32x16.4x4'];

test('bindings past maxStorageBufferBindingSize are split along batch, M, N and K', async () => {
  const limits = { maxStorageBufferBindingSize: 2048 };
  const cases = [
    { m: 70, n: 36, k: 40, bias: true }, // A and B too big: M and K splits
    { m: 9, n: 130, k: 12, transB: true, bias: true }, // C and B too big: N splits
    { m: 40, n: 8, k: 70, transA: true, accumulate: true }, // Aᵀ too big: K splits with accumulation
    { m: 12, n: 12, k: 12, batch: [3, 4] as [number, number], bias: true }, // batch splits
  ];
  for (const strategy of STRATEGIES) {
    for (const c of cases) {
      const { err, dispatches } = await runCase(ctx, { ...c, strategy, limits });
      expect(dispatches, `${strategy} ${JSON.stringify(c)}`).toBeGreaterThan(1);
      expect(err, `${strategy} ${JSON.stringify(c)}`).toBeLessThanOrEqual(TOL);
    }
  }
});

test('grids past maxComputeWorkgroupsPerDimension are split', async () => {
  const limits = { maxComputeWorkgroupsPerDimension: 2 };
  for (const strategy of ['naive', ...STRATEGIES]) {
    const c = { m: 150, n: 140, k: 9, batch: [1, 5] as [number, number], gelu: true, pre: true, bias: true };
    const { err, preErr, dispatches } = await runCase(ctx, { ...c, strategy, limits });
    expect(dispatches).toBeGreaterThan(1);
    expect(err, strategy).toBeLessThanOrEqual(TOL);
    expect(preErr, strategy).toBeLessThanOrEqual(TOL);
  }
});

test('a GELU epilogue that would need a K split is refused, naming the limit', async () => {
  await expect(
    runCase(ctx, { m: 4, n: 4, k: 2000, gelu: true, strategy: 'naive', limits: { maxStorageBufferBindingSize: 1024 } }),
  ).rejects.toThrow(/maxStorageBufferBindingSize 1024.*GELU/);
});

test('shape errors name the op and the shapes', () => {
  const a = Tensor.empty(ctx, [3, 5]);
  const b = Tensor.empty(ctx, [4, 2]);
  const out = Tensor.empty(ctx, [3, 2]);
  const rec = new Recorder(ctx);
  expect(() => matmul(rec, { out, a, b, label: 'mlp.fc' })).toThrow(
    'mlp.fc: inner dimensions differ: a has K=5, b has K=4 (out [3, 2], a [3, 5], b [4, 2])',
  );
  expect(() => matmul(rec, { out, a, b, transB: true })).toThrow(/b has 4 columns, out has 2/);
  expect(() => matmul(rec, { out, a, b: a, gelu: true, accumulate: true, transB: true })).toThrow(/gelu with accumulate/);
  for (const t of [a, b, out]) t.destroy();
  rec.destroy();
});

test('shape API: batched A with a broadcast B, default strategy falls back when K is not a multiple of 4', async () => {
  const [batch, m, k, n] = [6, 5, 17, 9];
  const aData = randomArray(batch * m * k);
  const bData = randomArray(k * n);
  const a = Tensor.from(ctx, aData, [2, 3, m, k]);
  const b = Tensor.from(ctx, bData, [k, n]);
  const out = Tensor.empty(ctx, [2, 3, m, n]);
  const rec = new Recorder(ctx);
  expect(matmul(rec, { out, a, b })).toBe(1);
  await rec.run();
  const [want] = matmulRef({
    m, n, k, batch: [batch, 1],
    a: { data: aData, ld: k, outer: m * k },
    b: { data: bData, ld: n, outer: 0 },
    out: { data: new Float64Array(batch * m * n), ld: n, outer: m * n },
  });
  expect(relError(await out.read(), want)).toBeLessThanOrEqual(TOL);
  for (const t of [a, b, out]) t.destroy();
  rec.destroy();
});

test('attention-style strided heads: S[b,h] = Q[b,:,h] · K[b,:,h]ᵀ straight out of a [B, T, 3C] qkv tensor', async () => {
  const [B, T, H, hs] = [2, 7, 3, 4];
  const C = H * hs;
  const qkvData = randomArray(B * T * 3 * C);
  const qkv = Tensor.from(ctx, qkvData, [B, T, 3 * C]);
  const scores = Tensor.empty(ctx, [B, H, T, T]);
  const layout = {
    m: T, n: T, k: hs, batch: [B, H] as [number, number],
    a: { offset: 0, ld: 3 * C, outerStride: T * 3 * C, innerStride: hs }, // Q
    b: { offset: C, ld: 3 * C, outerStride: T * 3 * C, innerStride: hs }, // K
    out: { ld: T, outerStride: H * T * T, innerStride: T * T },
  };
  const rec = new Recorder(ctx);
  matmul(rec, { out: scores, a: qkv, b: qkv, transB: true, layout });
  await rec.run();
  const [want] = matmulRef({
    m: T, n: T, k: hs, batch: [B, H], transB: true,
    a: { data: qkvData, offset: 0, ld: 3 * C, outer: T * 3 * C, inner: hs },
    b: { data: qkvData, offset: C, ld: 3 * C, outer: T * 3 * C, inner: hs },
    out: { data: new Float64Array(B * H * T * T), ld: T, outer: H * T * T, inner: T * T },
  });
  expect(relError(await scores.read(), want)).toBeLessThanOrEqual(TOL);
  qkv.destroy();
  scores.destroy();
  rec.destroy();
});

test('vec4 variants store into any row stride (logits: N = 65)', async () => {
  const [m, n, k] = [9, 65, 12];
  const aData = randomArray(m * k);
  const bData = randomArray(n * k);
  const a = Tensor.from(ctx, aData, [m, k]);
  const b = Tensor.from(ctx, bData, [n, k]);
  const out = Tensor.empty(ctx, [m, n]);
  const rec = new Recorder(ctx);
  matmul(rec, { out, a, b, transB: true, strategy: 'vec4.4x4.wg8x8' });
  await rec.run();
  const [want] = matmulRef({
    m, n, k, transB: true,
    a: { data: aData, ld: k },
    b: { data: bData, ld: k },
    out: { data: new Float64Array(m * n), ld: n },
  });
  expect(relError(await out.read(), want)).toBeLessThanOrEqual(TOL);
  for (const t of [a, b, out]) t.destroy();
  rec.destroy();
});
