// The loss readback ring: values arrive a step or more late, in order, with the right contents, and
// steps never wait; a replayed step with the ring creates no GPU buffers.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { ReadbackRing } from '../../../src/engine/gpu/readback';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { GpuTimer } from '../../../src/engine/gpu/timing';
import { matmul } from '../../../src/engine/ops/matmul';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

test('each step copies its "loss" into the ring; values resolve later, none lost, no new buffers', async () => {
  // A step: loss[1,1] = x[1,4] · w[4,1], with x changed per step (the uploaded batch).
  const x = Tensor.empty(ctx, [1, 4]);
  const w = Tensor.from(ctx, new Float32Array([1, 2, 3, 4]), [4, 1]);
  const loss = Tensor.empty(ctx, [1, 1]);
  const rec = new Recorder(ctx);
  matmul(rec, { out: loss, a: x, b: w });
  const ring = new ReadbackRing(ctx, [loss, x], { depth: 3 });
  const before = ctx.buffersCreated;
  const got = new Map<number, number>();
  const steps = 12;
  for (let step = 0; step < steps; step++) {
    x.write(new Float32Array([step, 1, 0, 0]));
    const encoder = ctx.device.createCommandEncoder();
    rec.encode(encoder);
    const copied = ring.copy(encoder, step);
    ctx.device.queue.submit([encoder.finish()]);
    ring.submitted();
    for (const r of ring.drain()) got.set(r.tag, r.values[0][0]);
    if (!copied) continue; // the GPU was 3 steps behind: skipped, never waited on
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (const r of await ring.flush()) got.set(r.tag, r.values[0][0]);
  expect(ctx.buffersCreated).toBe(before);
  expect(got.size + ring.skipped).toBe(steps);
  expect(got.size).toBeGreaterThan(0);
  for (const [step, value] of got) expect(value).toBe(step * 1 + 2);
  ring.destroy();
  rec.destroy();
  for (const t of [x, w, loss]) t.destroy();
});

test('GpuTimer times a replay (timestamps where offered, else wall clock)', async () => {
  const a = Tensor.empty(ctx, [64, 64]);
  const out = Tensor.empty(ctx, [64, 64]);
  const rec = new Recorder(ctx);
  matmul(rec, { out, a, b: a });
  const timer = new GpuTimer(ctx);
  const t = await timer.time(rec, { samples: 3, replays: 2 });
  expect(t.source).toBe(ctx.features.timestampQuery ? 'timestamp' : 'wall');
  expect(t.samples).toHaveLength(3);
  for (const ms of t.samples) expect(ms).toBeGreaterThan(0);
  expect(t.median).toBeGreaterThan(0);
  timer.destroy();
  rec.destroy();
  a.destroy();
  out.destroy();
});
