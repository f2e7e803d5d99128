import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { StepState } from '../../../src/engine/ops/step-state';
import { adamwStep, mergeRanges } from '../../../src/engine/optim/adamw';
import { gradNormForward } from '../../../src/engine/optim/gradnorm';
import * as ref from '../../../src/engine/reference/adamw';
import { relError } from '../../../src/engine/reference/fd';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

const randn = (n: number, s = 1) => Float32Array.from({ length: n }, () => s * (Math.random() * 2 - 1) * Math.sqrt(3));

test.each([
  [1, 0, 0.9, 0.999], // no clipping
  [17, 1.0, 0.9, 0.95],
  [1000, 0.5, 0.9, 0.999],
  [1200, 1.0, 0.9, 0.99], // ranges at multiples of 4 take the vec4 kernel, the ragged last one the scalar
  [70001, 1.0, 0.9, 0.99], // several grad-norm workgroups
])('AdamW + grad-norm clipping over 6 replayed steps vs PyTorch formula in float64 (n=%i maxNorm=%f)', async (n, maxNorm, beta1, beta2) => {
  const hyper = { beta1, beta2, eps: 1e-8 };
  const w0 = randn(n);
  // Three groups: decayed at half the lr, excluded (norms/biases) at the lr, decayed again at a
  // quarter of it (layer-wise lr decay: PyTorch param groups of their own lr); the last 2 elements are frozen.
  const a = Math.floor(n / 3);
  const b = Math.floor((2 * n) / 3);
  const ranges = [
    { offset: 0, count: a, weightDecay: 0.1, lrScale: 0.5 },
    { offset: a, count: b - a, weightDecay: 0 },
    { offset: b, count: Math.max(0, n - b - 2), weightDecay: 0.1, lrScale: 0.25 },
  ];
  const decay = new Float64Array(n);
  const scale = new Float64Array(n);
  const active = new Uint8Array(n);
  for (const r of ranges) for (let i = r.offset; i < r.offset + r.count; i++) { decay[i] = r.weightDecay; scale[i] = r.lrScale ?? 1; active[i] = 1; }

  const weights = Tensor.from(ctx, w0, [n]);
  const m = Tensor.empty(ctx, [n]);
  const v = Tensor.empty(ctx, [n]);
  const grads = Tensor.empty(ctx, [n]);
  const norm = Tensor.empty(ctx, [2]);
  const state = new StepState(ctx);
  const rec = new Recorder(ctx);
  gradNormForward(rec, norm, grads, maxNorm);
  adamwStep(rec, weights, m, v, grads, state, ranges, hyper, norm);

  const W = Float64Array.from(w0);
  const M = new Float64Array(n);
  const V = new Float64Array(n);
  for (let step = 1; step <= 6; step++) {
    const g = randn(n, step === 2 ? 0.001 : 1); // one tiny gradient: clipping must leave it alone
    const lr = 1e-3 * step;
    grads.write(g);
    state.set({ step, seed: 0, lr });
    const before = ctx.buffersCreated;
    await rec.run();
    expect(ctx.buffersCreated).toBe(before); // a replay allocates nothing
    const trueNorm = ref.gradNorm(g);
    const clip = ref.clipScale(trueNorm, maxNorm);
    const Wn = Float64Array.from(W);
    ref.adamwStep(Wn, M, V, g, decay, scale.map((s) => s * lr), step, hyper, clip);
    let maxUpdate = 0;
    for (let i = 0; i < n; i++) if (active[i]) maxUpdate = Math.max(maxUpdate, Math.abs(Wn[i] - W[i]));
    const [gotNorm, gotClip] = await norm.read();
    expect(Math.abs(gotNorm - trueNorm) / trueNorm).toBeLessThan(1e-5);
    expect(Math.abs(gotClip - clip)).toBeLessThan(1e-5 * clip);
    const got = await weights.read();
    // Each weight must be within 1e-4 of the step's largest update of the float64 result, plus the
    // one float32 rounding that storing the weight costs (as in PyTorch's float32 AdamW).
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const want = active[i] ? Wn[i] : W[i];
      const ulp = Math.abs(Math.fround(want) - Math.fround(want * (1 + 2 ** -23))) || 2 ** -149;
      worst = Math.max(worst, (Math.abs(got[i] - want) - ulp) / maxUpdate);
      W[i] = got[i]; // continue from the stored float32 weights, as the GPU does
    }
    expect(worst, `weights after step ${step}: error ${worst} of the largest update`).toBeLessThan(1e-4);
    const errM = relError((await m.read()).filter((_, i) => active[i]), M.filter((_, i) => active[i]));
    const errV = relError((await v.read()).filter((_, i) => active[i]), V.filter((_, i) => active[i]));
    expect(errM, `m after step ${step}`).toBeLessThan(1e-5);
    expect(errV, `v after step ${step}`).toBeLessThan(1e-5);
  }
  rec.destroy();
  state.destroy();
  for (const t of [weights, m, v, grads, norm]) t.destroy();
});

test('parameter ranges merge when adjacent with equal decay and lr scale, and are validated', () => {
  expect(mergeRanges([{ offset: 5, count: 5, weightDecay: 0 }, { offset: 0, count: 5, weightDecay: 0 }, { offset: 10, count: 2, weightDecay: 0.1 }], 12)).toEqual([
    { offset: 0, count: 10, weightDecay: 0, lrScale: 1 },
    { offset: 10, count: 2, weightDecay: 0.1, lrScale: 1 },
  ]);
  expect(mergeRanges([{ offset: 0, count: 5, weightDecay: 0, lrScale: 0.5 }, { offset: 5, count: 5, weightDecay: 0, lrScale: 1 }, { offset: 10, count: 2, weightDecay: 0 }], 12)).toEqual([
    { offset: 0, count: 5, weightDecay: 0, lrScale: 0.5 },
    { offset: 5, count: 7, weightDecay: 0, lrScale: 1 },
  ]);
  expect(() => mergeRanges([{ offset: 0, count: 5, weightDecay: 0, lrScale: -1 }], 12)).toThrow(/lrScale/);
  expect(() => mergeRanges([{ offset: 0, count: 5, weightDecay: 0, lrScale: NaN }], 12)).toThrow(/lrScale/);
  expect(() => mergeRanges([{ offset: 0, count: 5, weightDecay: 0 }, { offset: 4, count: 2, weightDecay: 0 }], 12)).toThrow(/overlaps/);
  expect(() => mergeRanges([{ offset: 10, count: 5, weightDecay: 0 }], 12)).toThrow(/outside/);
});
