// The readback ring maps a step's metrics only when the step should be done (Dawn's Node bindings
// busy-poll the main thread while a map is pending): the estimate of when that is, and the ring's
// values arriving in order with the right tags.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { CompletionEstimate } from '../../../src/engine/gpu/completion';
import { ReadbackRing } from '../../../src/engine/train/readback';

test('the estimate skips the first run, follows measured steps, queues them, and halves after oversleeping', () => {
  const e = new CompletionEstimate();
  expect(e.expectedDone(10)).toBe(10); // nothing measured: ask at once
  e.observe(0, 0, 5000); // the first run (pipeline compilation): not learnt from
  expect(e.stepMs).toBe(0);
  e.observe(5000, 5000, 5050); // waited 50 ms: a 50 ms step
  expect(e.stepMs).toBe(50);
  // Submitted at 5040 while the previous step ran until 5050: it starts at 5050.
  expect(e.expectedDone(5040)).toBe(5100);
  // Submitted at 6000 on an idle GPU: it starts at once.
  expect(e.expectedDone(6000)).toBe(6050);
  e.observe(5040, 5095, 5110); // waited 15 ms: this step took 60 ms (5050 -> 5110): slower, moves gradually
  expect(e.stepMs).toBeCloseTo(0.7 * 50 + 0.3 * 60, 9);
  e.observe(6000, 6040, 6045); // 45 ms (6000 -> 6045): faster, taken at once
  expect(e.stepMs).toBe(45);
  e.observe(7000, 7044, 7044.2); // resolved at once: it had finished before 7044; at least halve
  expect(e.stepMs).toBe(22.5);
  e.observe(8000, 8010, 8010.1); // finished within 10 ms: the estimate drops to that bound
  expect(e.stepMs).toBe(10);
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
  ring.destroy();
});
