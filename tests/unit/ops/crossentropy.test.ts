import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { setRowStrategy } from '../../../src/engine/ops/util';
import { crossEntropyForwardBackward, IGNORE_INDEX } from '../../../src/engine/ops/crossentropy';
import * as ref from '../../../src/engine/reference/crossentropy';
import { numericalGradient, relError } from '../../../src/engine/reference/fd';
import { expectClose, Pool, randIds, randn } from './helpers';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

describe.each(['thread', 'workgroup'] as const)('%s-per-row kernels', (strategy) => {
  beforeAll(() => setRowStrategy(ctx, strategy));
  afterAll(() => setRowStrategy(ctx, undefined));

  test.each([
    [1, 1, 0],
    [3, 17, 0.3],
    [17, 65, 0.5],
    [130, 65, 0.85], // masked-LM-like: most positions ignored
    [5, 3000, 0.2],
  ])('cross-entropy vs float64 (N=%i V=%i ignored fraction %f)', async (N, V, ignored) => {
    const pool = new Pool(ctx);
    const logits = randn(N * V, 3);
    const targets = randIds(N, V);
    for (let n = 0; n < N; n++) if (Math.random() < ignored) targets[n] = IGNORE_INDEX;
    if (N > 2) {
      targets[0] = 0;
      targets[N - 1] = IGNORE_INDEX;
      logits[0 * V + 0] = 50; // row 0: a confident correct prediction (and a stability check)
    }
    const losses = pool.empty([N]);
    const dlogits = pool.from(randn(N * V), [N, V]); // garbage: must be overwritten
    const stats = pool.empty([4]);
    const gradScale = 0.5;
    const rec = new Recorder(ctx);
    crossEntropyForwardBackward(rec, losses, dlogits, stats, pool.from(logits, [N, V]), pool.from(targets, [N]), { N, V, gradScale });
    await rec.run();
    const want = ref.crossEntropy(logits, targets, N, V, gradScale);
    expectClose('losses', await losses.read(), want.losses);
    expectClose('dlogits', await dlogits.read(), want.dlogits);
    const s = await stats.read();
    expect(s[1]).toBe(want.count);
    expect(s[2]).toBe(want.correct);
    expectClose('mean loss', [s[0], s[3]], [want.mean, want.mean * want.count]);
    rec.destroy();
    pool.free();
  });
});

test('the reference gradient matches finite differences of the mean loss', () => {
  const N = 4;
  const V = 5;
  const logits = Float64Array.from(randn(N * V));
  const targets = Uint32Array.from([2, IGNORE_INDEX, 0, 4]);
  const numeric = numericalGradient((x) => ref.crossEntropy(x, targets, N, V).mean, logits);
  expect(relError(ref.crossEntropy(logits, targets, N, V).dlogits, numeric)).toBeLessThan(1e-7);
});

describe.each(['thread', 'workgroup'] as const)('%s-per-row kernels', (strategy) => {
  beforeAll(() => setRowStrategy(ctx, strategy));
  afterAll(() => setRowStrategy(ctx, undefined));

  test('accuracy takes the first argmax on ties (as torch.argmax), in every lane position', async () => {
    const pool = new Pool(ctx);
    const V = 300; // > 2 x 128 lanes: ties across strided lanes and tree levels
    const N = 6;
    const logits = new Float32Array(N * V);
    // Row n has its maximum 1.0 at columns tieAt[n][0] < tieAt[n][1]; the target is the earlier one
    // (right) except on row 5.
    const tieAt = [[5, 133], [127, 128], [64, 129], [1, 299], [0, 255], [100, 227]];
    const targets = new Uint32Array(N);
    for (let n = 0; n < N; n++) {
      for (const j of tieAt[n]) logits[n * V + j] = 1;
      targets[n] = n === 5 ? tieAt[n][1] : tieAt[n][0];
    }
    const stats = pool.empty([4]);
    const rec = new Recorder(ctx);
    crossEntropyForwardBackward(rec, pool.empty([N]), pool.empty([N, V]), stats, pool.from(logits, [N, V]), pool.from(targets, [N]), { N, V });
    await rec.run();
    expect((await stats.read())[2]).toBe(ref.crossEntropy(logits, targets, N, V).correct);
    expect((await stats.read())[2]).toBe(5);
    rec.destroy();
    pool.free();
  });
});
