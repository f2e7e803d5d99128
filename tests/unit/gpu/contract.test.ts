import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { cpuFlags } from '../../../src/engine/gpu/drivers';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { scaleForward } from '../../../src/engine/ops/scale';
import { ownedScratch } from '../../../src/engine/ops/util';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

test('a recorded dispatch replays without allocating', async () => {
  for (const n of [1, 3, 65, 1000]) {
    const xs = Float32Array.from({ length: n }, () => Math.random() - 0.5);
    const x = Tensor.from(ctx, xs, [n]);
    const y = Tensor.empty(ctx, [n]);
    const rec = new Recorder(ctx);
    scaleForward(rec, y, x, 2.5);
    const before = ctx.buffersCreated;
    await rec.run();
    await rec.run();
    expect(ctx.buffersCreated).toBe(before);
    const out = await y.read();
    for (let i = 0; i < n; i++) expect(out[i]).toBeCloseTo(xs[i] * 2.5, 6);
    rec.destroy();
    x.destroy();
    y.destroy();
  }
});

test('lavapipe runs at the SIMD width GpuContext chose: 16-lane subgroups on AVX-512 CPUs', (t) => {
  if (ctx.report.driver !== 'lavapipe' || !ctx.features.subgroups) t.skip('needs lavapipe with subgroups');
  // GpuContext.open sets LP_NATIVE_VECTOR_WIDTH before Dawn loads the driver (unless already set).
  const width = process.env.LP_NATIVE_VECTOR_WIDTH;
  if (cpuFlags().has('avx512f')) expect(width).toBeDefined();
  expect(ctx.features.subgroupMinSize).toBe(width === '512' ? 16 : 8);
});

test('an op scratch is one buffer per recorder, label and size', () => {
  const rec = new Recorder(ctx);
  const other = new Recorder(ctx);
  const before = ctx.buffersCreated;
  const a = ownedScratch(rec, 'test.scratch', 100);
  expect(ownedScratch(rec, 'test.scratch', 100)).toBe(a);
  expect(ctx.buffersCreated).toBe(before + 1);
  expect(ownedScratch(rec, 'test.scratch', 200).buffer).not.toBe(a.buffer);
  expect(ownedScratch(rec, 'test.other', 100).buffer).not.toBe(a.buffer);
  expect(ownedScratch(other, 'test.scratch', 100).buffer).not.toBe(a.buffer);
  rec.destroy();
  other.destroy();
});
