import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { setRowStrategy } from '../../../src/engine/ops/util';
import { attentionBackward, attentionForward, readAttentionProbs } from '../../../src/engine/ops/attention';
import { softmaxBackward, softmaxForward } from '../../../src/engine/ops/softmax';
import { StepState } from '../../../src/engine/ops/step-state';
import { dropoutMask } from '../../../src/engine/reference/dropout';
import * as ref from '../../../src/engine/reference/attention';
import { dot, numericalGradient, relError } from '../../../src/engine/reference/fd';
import { headsMerge, headsSplit } from '../../../src/engine/reference/heads';
import * as sm from '../../../src/engine/reference/softmax';
import { expectClose, Pool, randn } from './helpers';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

const add = (a: ArrayLike<number>, b: ArrayLike<number>) => Float64Array.from(a, (x, i) => x + b[i]);

// [B, H, Tq, Tk, D, causal, padded, attention dropout]
test.each([
  [1, 1, 1, 1, 1, true, false, 0],
  [2, 3, 17, 17, 5, true, true, 0],
  [1, 2, 65, 65, 16, true, false, 0],
  [3, 2, 7, 13, 3, false, true, 0], // cross attention, Tq != Tk, key padding
  [2, 1, 130, 130, 8, false, true, 0], // encoder self attention with padding
  [1, 2, 3, 65, 4, false, false, 0],
  [2, 2, 17, 17, 4, true, false, 0.2], // attention dropout
  [3, 1, 9, 11, 3, false, true, 0.5], // cross attention + padding + dropout
])('attention forward/backward vs float64 (B=%i H=%i Tq=%i Tk=%i D=%i causal=%s padded=%s dropout=%f)', async (B, H, Tq, Tk, D, causal, padded, dropP) => {
  const pool = new Pool(ctx);
  const q = randn(B * H * Tq * D);
  const k = randn(B * H * Tk * D);
  const v = randn(B * H * Tk * D);
  const dOut = randn(B * H * Tq * D);
  const dq0 = randn(q.length);
  const dk0 = randn(k.length);
  const dv0 = randn(v.length);
  // Batch row 0 keeps every key; later rows lose some; with B >= 3 one row has no visible key at all.
  const kvLen = Uint32Array.from({ length: B }, (_, b) => (b === 0 ? Tk : b === 2 ? 0 : Math.max(1, Tk - 2 * b)));
  const state = new StepState(ctx);
  const seed = (Math.random() * 2 ** 32) >>> 0;
  state.set({ step: 2, seed, lr: 0 });
  const dropMask = dropP > 0 ? dropoutMask(B * H * Tq * Tk, dropP, seed, 2, 11) : undefined;
  const d: ref.AttentionDims = { B, H, Tq, Tk, D, causal, kvLen: padded ? kvLen : undefined, dropMask };
  const tq = pool.from(q, [B, H, Tq, D]);
  const tk = pool.from(k, [B, H, Tk, D]);
  const tv = pool.from(v, [B, H, Tk, D]);
  const out = pool.empty([B, H, Tq, D]);
  const probs = pool.empty([B, H, Tq, Tk]);
  const dq = pool.from(dq0, [B, H, Tq, D]);
  const dk = pool.from(dk0, [B, H, Tk, D]);
  const dv = pool.from(dv0, [B, H, Tk, D]);
  const gd = {
    B, H, Tq, Tk, D, causal,
    kvLen: padded ? pool.from(kvLen, [B]) : undefined,
    dropout: dropP > 0 ? { p: dropP, stream: 11, state } : undefined,
  };
  const rec = new Recorder(ctx);
  attentionForward(rec, out, probs, tq, tk, tv, gd);
  attentionBackward(rec, dq, dk, dv, pool.from(dOut, [B, H, Tq, D]), tq, tk, tv, probs, gd);
  await rec.run();

  const want = ref.attentionForward(q, k, v, d);
  expectClose('probs', await probs.read(), want.probs);
  expectClose('out', await out.read(), want.out);
  const last = B - 1;
  const per = H * Tq * Tk;
  expectClose('inspection probs', await readAttentionProbs(probs, gd, last), want.probs.subarray(last * per, (last + 1) * per));
  const g = ref.attentionBackward(dOut, q, k, v, want.probs, d);
  expectClose('dq (accumulated)', await dq.read(), add(g.dq, dq0));
  expectClose('dk (accumulated)', await dk.read(), add(g.dk, dk0));
  expectClose('dv (accumulated)', await dv.read(), add(g.dv, dv0));
  rec.destroy();
  state.destroy();
  pool.free();
});

test('the reference attention backward matches finite differences (causal, padded, cross, dropout)', () => {
  for (const [Tq, Tk, causal, dropP] of [[4, 4, true, 0], [3, 5, false, 0], [4, 4, true, 0.3]] as const) {
    const B = 2;
    const H = 2;
    const D = 3;
    const dropMask = dropP > 0 ? dropoutMask(B * H * Tq * Tk, dropP, 99, 1, 0) : undefined;
    const d: ref.AttentionDims = { B, H, Tq, Tk, D, causal, kvLen: [Tk, Tk - 2], dropMask };
    const q = Float64Array.from(randn(B * H * Tq * D));
    const k = Float64Array.from(randn(B * H * Tk * D));
    const v = Float64Array.from(randn(B * H * Tk * D));
    const w = randn(B * H * Tq * D);
    const f = (qq: Float64Array, kk: Float64Array, vv: Float64Array) => dot(ref.attentionForward(qq, kk, vv, d).out, w);
    const g = ref.attentionBackward(w, q, k, v, ref.attentionForward(q, k, v, d).probs, d);
    expect(relError(g.dq, numericalGradient((x) => f(x, k, v), q))).toBeLessThan(1e-6);
    expect(relError(g.dk, numericalGradient((x) => f(q, x, v), k))).toBeLessThan(1e-6);
    expect(relError(g.dv, numericalGradient((x) => f(q, k, x), v))).toBeLessThan(1e-6);
  }
});

test.each([
  [1, 1, 1, 1, 1, true],
  [2, 17, 3, 5, 13, true], // self attention: q, k, v are the three column blocks of one [B, T, 3C] tensor
  [3, 9, 2, 4, 6, false], // cross attention: q from a [B, Tq, C] tensor, k and v from a [B, Tk, 2C] one
])('attention on head blocks of wide tensors, in place (B=%i Tq=%i H=%i D=%i Tk=%i self=%s)', async (B, Tq, H, D, TkCross, self) => {
  const pool = new Pool(ctx);
  const C = H * D;
  const Tk = self ? Tq : TkCross;
  // Self: one fused [B, T, 3C] tensor (q, k, v at columns 0, C, 2C). Cross: [B, Tq, C] and [B, Tk, 2C].
  const qW = self ? 3 * C : C;
  const kvW = self ? 3 * C : 2 * C;
  const [qCol, kCol, vCol] = self ? [0, C, 2 * C] : [0, 0, C];
  const qx = randn(B * Tq * qW);
  const kvx = self ? qx : randn(B * Tk * kvW);
  const dMerged = randn(B * Tq * C);
  const dqx0 = randn(qx.length);
  const dkvx0 = self ? dqx0 : randn(kvx.length);
  const tq = pool.from(qx, [B, Tq, qW]);
  const tkv = self ? tq : pool.from(kvx, [B, Tk, kvW]);
  const dq = pool.from(dqx0, [B, Tq, qW]);
  const dkv = self ? dq : pool.from(dkvx0, [B, Tk, kvW]);
  const merged = pool.empty([B, Tq, C]);
  const probs = pool.empty([B, H, Tq, Tk]);
  const gd = { B, H, Tq, Tk, D, causal: self };
  const wide = (t: typeof tq, W: number, col: number) => ({ wide: t, W, col });
  const rec = new Recorder(ctx);
  attentionForward(rec, wide(merged, C, 0), probs, wide(tq, qW, qCol), wide(tkv, kvW, kCol), wide(tkv, kvW, vCol), gd);
  attentionBackward(
    rec, wide(dq, qW, qCol), wide(dkv, kvW, kCol), wide(dkv, kvW, vCol), wide(pool.from(dMerged, [B, Tq, C]), C, 0),
    wide(tq, qW, qCol), wide(tkv, kvW, kCol), wide(tkv, kvW, vCol), probs, gd,
  );
  await rec.run();

  const q = headsSplit(qx, B, Tq, qW, H, D, qCol);
  const k = headsSplit(kvx, B, Tk, kvW, H, D, kCol);
  const v = headsSplit(kvx, B, Tk, kvW, H, D, vCol);
  const d: ref.AttentionDims = { B, H, Tq, Tk, D, causal: self };
  const want = ref.attentionForward(q, k, v, d);
  expectClose('probs', await probs.read(), want.probs);
  expectClose('merged out', await merged.read(), headsMerge(want.out, B, Tq, H, D));
  // Split the merged gradient into heads, run the reference backward, and add each gradient into
  // its columns of the wide gradients (the other columns keep their starting values).
  const g = ref.attentionBackward(headsSplit(dMerged, B, Tq, C, H, D, 0), q, k, v, want.probs, d);
  const addColumns = (into: Float64Array, grad: Float64Array, T: number, W: number, col: number) => {
    const m = headsMerge(grad, B, T, H, D);
    for (let r = 0; r < B * T; r++) for (let c = 0; c < C; c++) into[r * W + col + c] += m[r * C + c];
  };
  const wantDq = Float64Array.from(dqx0);
  const wantDkv = self ? wantDq : Float64Array.from(dkvx0);
  addColumns(wantDq, g.dq, Tq, qW, qCol);
  addColumns(wantDkv, g.dk, Tk, kvW, kCol);
  addColumns(wantDkv, g.dv, Tk, kvW, vCol);
  expectClose('dq (accumulated in its columns)', await dq.read(), wantDq);
  if (!self) expectClose('dk, dv (accumulated in their columns)', await dkv.read(), wantDkv);
  rec.destroy();
  pool.free();
});

describe.each(['thread', 'workgroup'] as const)('%s-per-row kernels', (strategy) => {
  beforeAll(() => setRowStrategy(ctx, strategy));
  afterAll(() => setRowStrategy(ctx, undefined));

  test.each([
    [1, 1],
    [3, 17],
    [17, 65],
    [5, 1000],
  ])('softmax forward/backward vs float64 (N=%i V=%i)', async (N, V) => {
    const pool = new Pool(ctx);
    const x = randn(N * V, 4);
    x[0] = 80; // stability: a large logit must not overflow
    const dy = randn(N * V);
    const dx0 = randn(N * V);
    const y = pool.empty([N, V]);
    const dx = pool.from(dx0, [N, V]);
    const rec = new Recorder(ctx);
    softmaxForward(rec, y, pool.from(x, [N, V]), { N, V });
    softmaxBackward(rec, dx, pool.from(dy, [N, V]), y, { N, V });
    await rec.run();
    const want = sm.softmaxForward(x, N, V);
    expectClose('softmax', await y.read(), want);
    expectClose('dx (accumulated)', await dx.read(), add(sm.softmaxBackward(dy, want, N, V), dx0));
    rec.destroy();
    pool.free();
  });
});

test('the softmax reference backward matches finite differences', () => {
  const x = Float64Array.from(randn(12));
  const w = randn(12);
  const y = sm.softmaxForward(x, 3, 4);
  expect(relError(sm.softmaxBackward(w, y, 3, 4), numericalGradient((v) => dot(sm.softmaxForward(v, 3, 4), w), x))).toBeLessThan(1e-7);
});
