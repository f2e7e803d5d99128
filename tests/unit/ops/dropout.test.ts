import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { setRowStrategy } from '../../../src/engine/ops/util';
import { dropoutBackward, dropoutForward } from '../../../src/engine/ops/dropout';
import { fill } from '../../../src/engine/ops/fill';
import { StepState } from '../../../src/engine/ops/step-state';
import { dropoutMask } from '../../../src/engine/reference/dropout';
import { expectClose, Pool, randn } from './helpers';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

describe.each(['thread', 'workgroup'] as const)('%s launch shape', (strategy) => {
  beforeAll(() => setRowStrategy(ctx, strategy));
  afterAll(() => setRowStrategy(ctx, undefined));

  test.each([
    [1, 0.5],
    [17, 0.1],
    [130, 0.0],
    [65537, 0.25],
  ])('dropout forward/backward match the counter-based reference mask (n=%i p=%f)', async (n, p) => {
    const pool = new Pool(ctx);
    const state = new StepState(ctx);
    const x = randn(n);
    const dOut = randn(n);
    const dx0 = randn(n);
    const out = pool.empty([n]);
    const dx = pool.from(dx0, [n]);
    const spec = { p, stream: 7, state };
    const rec = new Recorder(ctx);
    dropoutForward(rec, out, pool.from(x, [n]), spec);
    dropoutBackward(rec, dx, pool.from(dOut, [n]), spec);
    const seed = (Math.random() * 2 ** 32) >>> 0;
    state.set({ step: 3, seed, lr: 0 });
    await rec.run();
    const mask = dropoutMask(n, p, seed, 3, 7);
    expectClose('out', await out.read(), Float64Array.from(x, (v, i) => v * mask[i]), 1e-6);
    expectClose('dx (accumulated)', await dx.read(), Float64Array.from(dx0, (v, i) => v + dOut[i] * mask[i]), 1e-6);
    if (n > 1000) {
      const kept = mask.filter((m) => m > 0).length / n;
      // 6 standard deviations of a binomial proportion.
      expect(Math.abs(kept - (1 - p))).toBeLessThan(6 * Math.sqrt((p * (1 - p)) / n));
      // A replay with the next step draws a different mask, with no new bind groups or buffers.
      const before = ctx.buffersCreated;
      state.set({ step: 4, seed, lr: 0 });
      await rec.run();
      expect(ctx.buffersCreated).toBe(before);
      const next = dropoutMask(n, p, seed, 4, 7);
      expectClose('out at step 4', await out.read(), Float64Array.from(x, (v, i) => v * next[i]), 1e-6);
      let same = 0;
      for (let i = 0; i < n; i++) same += (next[i] > 0) === (mask[i] > 0) ? 1 : 0;
      expect(same / n).toBeLessThan(1 - p * (1 - p)); // independent masks agree on p^2 + (1-p)^2 of elements
    }
    rec.destroy();
    state.destroy();
    pool.free();
  });
});

test('fill zeroes a buffer', async () => {
  const pool = new Pool(ctx);
  const t = pool.from(randn(1000), [1000]);
  const rec = new Recorder(ctx);
  fill(rec, t, 0);
  await rec.run();
  expect((await t.read()).every((v) => v === 0)).toBe(true);
  rec.destroy();
  pool.free();
});
