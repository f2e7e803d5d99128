// Masked mean pooling (a classifier's 'mean' pooling) against its float64 reference, with padded
// rows, a full row, a length past T (clamped) and one of 0 (read as 1); and a finite-difference check
// of the reference itself. The padding's gradient must stay exactly what was accumulated before.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { meanPoolBackward, meanPoolForward } from '../../../src/engine/ops/mean-pool';
import { setRowStrategy } from '../../../src/engine/ops/util';
import { dot, numericalGradient, relError } from '../../../src/engine/reference/fd';
import * as ref from '../../../src/engine/reference/mean-pool';
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
    [4, 7, 5, [7, 3, 1, 5]],
    [3, 11, 16, [11, 20, 0]],
    [2, 48, 128, [48, 9]],
  ])('forward and backward vs float64 (B=%i, T=%i, C=%i, lengths %j)', async (B, T, C, lens) => {
    const pool = new Pool(ctx);
    const h = randn(B * T * C);
    const dPooled = randn(B * C);
    const dh0 = randn(B * T * C);
    const lengths = Uint32Array.from(lens);
    const tLens = pool.from(lengths, [B]);
    const pooled = pool.empty([B, C]);
    const dh = pool.from(dh0, [B * T, C]);
    const rec = new Recorder(ctx);
    meanPoolForward(rec, pooled, pool.from(h, [B * T, C]), tLens, { B, T, C });
    meanPoolBackward(rec, dh, pool.from(dPooled, [B, C]), tLens, { B, T, C });
    await rec.run();
    expectClose('pooled', await pooled.read(), ref.meanPoolForward(h, lengths, B, T, C));
    const want = Float64Array.from(ref.meanPoolBackward(dPooled, lengths, B, T, C), (x, i) => x + dh0[i]);
    const got = await dh.read();
    expectClose('dh (accumulated)', got, want);
    // Padded positions: untouched, bit for bit.
    lengths.forEach((n, b) => {
      for (let t = Math.max(n, 1); t < T; t++) expect(got.subarray((b * T + t) * C, (b * T + t + 1) * C)).toEqual(dh0.subarray((b * T + t) * C, (b * T + t + 1) * C));
    });
    rec.destroy();
    pool.free();
  });
});

test('the reference gradient is the finite difference of the reference forward', () => {
  const [B, T, C] = [3, 5, 4];
  const lengths = [5, 2, 3];
  const h = Float64Array.from(randn(B * T * C));
  const dPooled = Float64Array.from(randn(B * C));
  const loss = (x: Float64Array) => dot(ref.meanPoolForward(x, lengths, B, T, C), dPooled);
  expect(relError(ref.meanPoolBackward(dPooled, lengths, B, T, C), numericalGradient(loss, h))).toBeLessThan(1e-6);
});
