// The readback ring maps a step's metrics only when the step should be done (Dawn's Node bindings
// busy-poll the main thread while a map is pending): the estimate of when that is, and the ring's
// values arriving in order with the right tags.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { CompletionEstimate } from '../../../src/engine/gpu/completion';
import { ReadbackRing } from '../../../src/engine/train/readback';

test('the estimate follows measured steps, queues them, and shrinks when a step was already done', () => {
  const e = new CompletionEstimate();
  expect(e.expectedDone(10)).toBe(10); // nothing measured: ask at once
  e.observe(0, 0, 50); // waited 50 ms: a 50 ms step
  expect(e.stepMs).toBe(50);
  // Submitted at 40 while the previous step ran until 50: it starts at 50.
  expect(e.expectedDone(40)).toBe(100);
  // Submitted at 200 on an idle GPU: it starts at once.
  expect(e.expectedDone(200)).toBe(250);
  e.observe(40, 95, 110); // waited 15 ms: this step took 60 ms (50 -> 110)
  expect(e.stepMs).toBeCloseTo(0.7 * 50 + 0.3 * 60, 9);
  const before = e.stepMs;
  e.observe(120, 300, 300.2); // resolved at once: it had finished before we asked
  expect(e.stepMs).toBeCloseTo(0.9 * before, 9);
});

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

test('the ring hands back each step\'s values, oldest first, after sleeping on its estimate', async () => {
  const ring = new ReadbackRing(ctx, 8, 2, 'test');
  const got: [number, number[]][] = [];
  const collect = (tag: number, v: Float32Array) => got.push([tag, [...v]]);
  for (let step = 1; step <= 5; step++) {
    const slot = await ring.acquire(collect);
    ctx.device.queue.writeBuffer(slot, 0, new Float32Array([step, step * 10]));
    ring.commit(step);
  }
  await ring.drain(collect);
  expect(got).toEqual([1, 2, 3, 4, 5].map((s) => [s, [s, s * 10]]));
  expect(ring.estimate.stepMs).toBeGreaterThanOrEqual(0);
  ring.destroy();
});
