// Tensors past maxStorageBufferBindingSize are split into several dispatches, not rejected. The
// adapter's limit (128 MiB on lavapipe) is too large to test cheaply, so these tests run the ops
// through a context that reports a 16 KiB limit and compare with the float64 references.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { withBindingLimit } from '../binding-limit';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { crossEntropyForwardBackward, IGNORE_INDEX } from '../../../src/engine/ops/crossentropy';
import { dropoutForward } from '../../../src/engine/ops/dropout';
import { embeddingBackward, embeddingForward } from '../../../src/engine/ops/embedding';
import * as emb from '../../../src/engine/reference/embedding';
import { geluForward } from '../../../src/engine/ops/gelu';
import { layernormForward } from '../../../src/engine/ops/layernorm';
import { StepState } from '../../../src/engine/ops/step-state';
import { adamwStep } from '../../../src/engine/optim/adamw';
import { gradNormForward } from '../../../src/engine/optim/gradnorm';
import * as adam from '../../../src/engine/reference/adamw';
import * as ce from '../../../src/engine/reference/crossentropy';
import { dropoutMask } from '../../../src/engine/reference/dropout';
import * as gelu from '../../../src/engine/reference/gelu';
import { expectClose, Pool, randIds, randn } from './helpers';

const LIMIT = 16384;
let ctx: GpuContext;
let small: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
  small = withBindingLimit(ctx, LIMIT);
});
afterAll(() => ctx?.destroy());

test('elementwise ops and dropout split over bindings (n = 10001, 3 chunks)', async () => {
  const pool = new Pool(ctx);
  const n = 10001;
  const x = randn(n);
  const y = pool.empty([n]);
  const dropped = pool.empty([n]);
  const state = new StepState(ctx);
  state.set({ step: 5, seed: 1234, lr: 0 });
  const rec = new Recorder(small);
  const tx = pool.from(x, [n]);
  geluForward(rec, y, tx);
  dropoutForward(rec, dropped, tx, { p: 0.3, stream: 2, state });
  expect(rec.dispatches.length).toBe(6);
  await rec.run();
  expectClose('gelu', await y.read(), gelu.geluForward(x));
  const mask = dropoutMask(n, 0.3, 1234, 5, 2); // element indices are global across chunks
  expectClose('dropout', await dropped.read(), Float64Array.from(x, (v, i) => v * mask[i]), 1e-6);
  rec.destroy();
  state.destroy();
  pool.free();
});

test('cross-entropy splits rows (N=300, V=17: chunks of 192 rows)', async () => {
  const pool = new Pool(ctx);
  const N = 300;
  const V = 17;
  const logits = randn(N * V, 2);
  const targets = randIds(N, V);
  for (let i = 0; i < N; i += 7) targets[i] = IGNORE_INDEX;
  const losses = pool.empty([N]);
  const dlogits = pool.empty([N, V]);
  const stats = pool.empty([4]);
  const rec = new Recorder(small);
  crossEntropyForwardBackward(rec, losses, dlogits, stats, pool.from(logits, [N, V]), pool.from(targets, [N]), { N, V });
  expect(rec.dispatches.length).toBe(4);
  await rec.run();
  const want = ce.crossEntropy(logits, targets, N, V);
  expectClose('losses', await losses.read(), want.losses);
  expectClose('dlogits', await dlogits.read(), want.dlogits);
  const s = await stats.read();
  expectClose('mean', [s[0]], [want.mean]);
  expect(s[2]).toBe(want.correct);
  rec.destroy();
  pool.free();
});

test('grad norm and AdamW split a flat buffer, with ranges across chunk boundaries', async () => {
  const n = 10000;
  const w0 = randn(n);
  const g = randn(n);
  const ranges = [
    { offset: 0, count: 3000, weightDecay: 0.1 },
    { offset: 3000, count: 6000, weightDecay: 0 },
    { offset: 9000, count: 998, weightDecay: 0.1 },
  ];
  const hyper = { beta1: 0.9, beta2: 0.99, eps: 1e-8 };
  const weights = Tensor.from(ctx, w0, [n]);
  const m = Tensor.empty(ctx, [n]);
  const v = Tensor.empty(ctx, [n]);
  const grads = Tensor.from(ctx, g, [n]);
  const norm = Tensor.empty(ctx, [2]);
  const state = new StepState(ctx);
  state.set({ step: 1, seed: 0, lr: 0.01 });
  const rec = new Recorder(small);
  gradNormForward(rec, norm, grads, 1.0);
  adamwStep(rec, weights, m, v, grads, state, ranges, hyper, norm);
  await rec.run();
  const trueNorm = adam.gradNorm(g);
  const [gotNorm] = await norm.read();
  expect(Math.abs(gotNorm - trueNorm) / trueNorm).toBeLessThan(1e-5);
  const W = Float64Array.from(w0);
  const decay = new Float64Array(n);
  for (const r of ranges) decay.fill(r.weightDecay, r.offset, r.offset + r.count);
  adam.adamwStep(W, new Float64Array(n), new Float64Array(n), g, decay, 0.01, 1, hyper, adam.clipScale(trueNorm, 1.0));
  W[9998] = w0[9998]; // outside every range: untouched
  W[9999] = w0[9999];
  const got = await weights.read();
  const delta = (a: ArrayLike<number>) => Float64Array.from(a, (x, i) => x - w0[i]);
  expectClose('adamw update', delta(got), delta(W)); // update of 1e-2 on O(1) f32 weights: ~2e-5 rounding
  rec.destroy();
  state.destroy();
  for (const t of [weights, m, v, grads, norm]) t.destroy();
});

test('an op that does not split names the binding and the limit', () => {
  const pool = new Pool(ctx);
  const N = 100;
  const C = 64; // 25,600 bytes > 16 KiB
  const rec = new Recorder(small);
  expect(() =>
    layernormForward(rec, pool.empty([N, C]), pool.empty([N]), pool.empty([N]), pool.empty([N, C]), pool.empty([C]), pool.empty([C]), { N, C }),
  ).toThrow(/layernorm.forward.[\w.]+: binding 0 \[100,64\] is 25600 bytes, over this adapter's maxStorageBufferBindingSize 16384/);
  rec.destroy();
  pool.free();
});

test('an embedding table past one binding is gathered and scatter-added in row ranges (V = 300 x C = 33: 5 ranges)', async () => {
  const pool = new Pool(ctx);
  const V = 300, C = 33, N = 2 * 41;
  const ids = randIds(N, V);
  ids[0] = 0; ids[1] = V - 1; ids[2] = 63; ids[3] = 64; ids[4] = 0xffffffff; // range edges and a padding id
  for (let i = 10; i < N; i += 4) ids[i] = 200; // a repeated id in the last range
  const table = randn(V * C), dOut = randn(N * C), dInit = randn(V * C), prior = randn(N * C);
  const tIds = pool.from(ids, [N]), tTable = pool.from(table, [V, C]);
  const out = pool.empty([N, C]), summed = pool.from(prior, [N, C]);
  const dTable = pool.from(dInit, [V, C]);
  const rec = new Recorder(small);
  embeddingForward(rec, out, tIds, tTable, { N, C, V });
  embeddingForward(rec, summed, tIds, tTable, { N, C, V, accumulate: true });
  embeddingBackward(rec, dTable, pool.from(dOut, [N, C]), tIds, { N, C, V });
  // Ranges are whole multiples of 64 rows: 64 rows of 132 bytes fit 16 KiB, 128 do not, so
  // 64, 64, 64, 64 and 44 rows; backward is 6 passes per range.
  expect(rec.dispatches.length).toBe(5 + 5 + 5 * 6);
  await rec.run();
  const gathered = emb.embeddingForward(ids, table, V, C);
  expectClose('gather', await out.read(), gathered);
  expectClose('gather += ', await summed.read(), gathered.map((x, i) => x + prior[i]));
  expectClose('scatter-add', await dTable.read(), emb.embeddingBackward(dOut, ids, V, C).map((x, i) => x + dInit[i]));
  rec.destroy();
  pool.free();
});
