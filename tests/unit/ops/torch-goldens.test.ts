// PyTorch's float64 outputs and gradients (goldens/op-goldens.json, from make_op_goldens.py) checked
// against both our float64 references (to 1e-10: same semantics) and the GPU kernels (to 1e-4).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { attentionBackward, attentionForward } from '../../../src/engine/ops/attention';
import { crossEntropyForwardBackward, IGNORE_INDEX } from '../../../src/engine/ops/crossentropy';
import { geluBackward, geluForward } from '../../../src/engine/ops/gelu';
import { layernormBackward, layernormForward } from '../../../src/engine/ops/layernorm';
import { StepState } from '../../../src/engine/ops/step-state';
import { adamwStep } from '../../../src/engine/optim/adamw';
import { gradNormForward } from '../../../src/engine/optim/gradnorm';
import * as adam from '../../../src/engine/reference/adamw';
import * as attn from '../../../src/engine/reference/attention';
import * as ce from '../../../src/engine/reference/crossentropy';
import { relError } from '../../../src/engine/reference/fd';
import * as gelu from '../../../src/engine/reference/gelu';
import * as ln from '../../../src/engine/reference/layernorm';
import { expectClose, Pool } from './helpers';

const G: any = JSON.parse(readFileSync(new URL('./goldens/op-goldens.json', import.meta.url), 'utf8'));
const f32 = (a: number[]) => Float32Array.from(a);
const REF_TOL = 1e-10;

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

test('layernorm matches torch.nn.functional.layer_norm', async () => {
  const { N, C, x, gamma, beta, dy } = G.layernorm;
  const r = ln.layernormForward(x, gamma, beta, N, C);
  const rg = ln.layernormBackward(dy, x, gamma, r.mean, r.rstd, N, C);
  expect(relError(r.out, G.layernorm.y)).toBeLessThan(REF_TOL);
  expect(relError(rg.dx, G.layernorm.dx)).toBeLessThan(REF_TOL);
  expect(relError(rg.dgamma, G.layernorm.dgamma)).toBeLessThan(REF_TOL);
  expect(relError(rg.dbeta, G.layernorm.dbeta)).toBeLessThan(REF_TOL);
  const pool = new Pool(ctx);
  const tx = pool.from(f32(x), [N, C]);
  const tg = pool.from(f32(gamma), [C]);
  const [out, mean, rstd, dx, dg, db] = [pool.empty([N, C]), pool.empty([N]), pool.empty([N]), pool.empty([N, C]), pool.empty([C]), pool.empty([C])];
  const rec = new Recorder(ctx);
  layernormForward(rec, out, mean, rstd, tx, tg, pool.from(f32(beta), [C]), { N, C });
  layernormBackward(rec, dx, dg, db, pool.from(f32(dy), [N, C]), tx, tg, mean, rstd, { N, C });
  await rec.run();
  expectClose('y', await out.read(), G.layernorm.y);
  expectClose('dx', await dx.read(), G.layernorm.dx);
  expectClose('dgamma', await dg.read(), G.layernorm.dgamma);
  expectClose('dbeta', await db.read(), G.layernorm.dbeta);
  rec.destroy();
  pool.free();
});

test("GELU matches torch gelu(approximate='tanh')", async () => {
  const { x, dy, y, dx } = G.gelu;
  expect(relError(gelu.geluForward(x), y)).toBeLessThan(REF_TOL);
  expect(relError(gelu.geluBackward(dy, x), dx)).toBeLessThan(REF_TOL);
  const pool = new Pool(ctx);
  const n = x.length;
  const tx = pool.from(f32(x), [n]);
  const [out, tdx] = [pool.empty([n]), pool.empty([n])];
  const rec = new Recorder(ctx);
  geluForward(rec, out, tx);
  geluBackward(rec, tdx, pool.from(f32(dy), [n]), tx);
  await rec.run();
  expectClose('y', await out.read(), y);
  expectClose('dx', await tdx.read(), dx);
  rec.destroy();
  pool.free();
});

test('masked attention matches softmax(q k^T / sqrt(D)).masked_fill(...) @ v', async () => {
  for (const a of G.attention) {
    const { B, H, Tq, Tk, D, causal, kvLen, q, k, v, dy } = a;
    const d: attn.AttentionDims = { B, H, Tq, Tk, D, causal, kvLen };
    const r = attn.attentionForward(q, k, v, d);
    const rg = attn.attentionBackward(dy, q, k, v, r.probs, d);
    expect(relError(r.probs, a.probs)).toBeLessThan(REF_TOL);
    expect(relError(r.out, a.y)).toBeLessThan(REF_TOL);
    for (const name of ['dq', 'dk', 'dv'] as const) expect(relError(rg[name], a[name])).toBeLessThan(REF_TOL);
    const pool = new Pool(ctx);
    const tq = pool.from(f32(q), [B, H, Tq, D]);
    const tk = pool.from(f32(k), [B, H, Tk, D]);
    const tv = pool.from(f32(v), [B, H, Tk, D]);
    const [out, probs, dq, dk, dv] = [pool.empty([B, H, Tq, D]), pool.empty([B, H, Tq, Tk]), pool.empty([B, H, Tq, D]), pool.empty([B, H, Tk, D]), pool.empty([B, H, Tk, D])];
    const gd = { B, H, Tq, Tk, D, causal, kvLen: pool.from(Uint32Array.from(kvLen), [B]) };
    const rec = new Recorder(ctx);
    attentionForward(rec, out, probs, tq, tk, tv, gd);
    attentionBackward(rec, dq, dk, dv, pool.from(f32(dy), [B, H, Tq, D]), tq, tk, tv, probs, gd);
    await rec.run();
    expectClose('probs', await probs.read(), a.probs);
    expectClose('y', await out.read(), a.y);
    expectClose('dq', await dq.read(), a.dq);
    expectClose('dk', await dk.read(), a.dk);
    expectClose('dv', await dv.read(), a.dv);
    rec.destroy();
    pool.free();
  }
});

test('cross-entropy matches F.cross_entropy(ignore_index=...)', async () => {
  const { N, V, logits, loss, dlogits } = G.crossentropy;
  const targets = Uint32Array.from(G.crossentropy.targets as number[], (t) => (t < 0 ? IGNORE_INDEX : t));
  const r = ce.crossEntropy(logits, targets, N, V);
  expect(Math.abs(r.mean - loss) / loss).toBeLessThan(REF_TOL);
  expect(relError(r.dlogits, dlogits)).toBeLessThan(REF_TOL);
  const pool = new Pool(ctx);
  const [losses, dl, stats] = [pool.empty([N]), pool.empty([N, V]), pool.empty([4])];
  const rec = new Recorder(ctx);
  crossEntropyForwardBackward(rec, losses, dl, stats, pool.from(f32(logits), [N, V]), pool.from(targets, [N]), { N, V });
  await rec.run();
  expectClose('loss', [(await stats.read())[0]], [loss]);
  expectClose('dlogits', await dl.read(), dlogits);
  rec.destroy();
  pool.free();
});

test('AdamW + clip_grad_norm_ match torch.optim.AdamW over 5 steps with two parameter groups', async () => {
  const a = G.adamw;
  const n = a.nDecay + a.nNoDecay;
  const hyper = { beta1: a.beta1, beta2: a.beta2, eps: a.eps };
  const decay = Float64Array.from({ length: n }, (_, i) => (i < a.nDecay ? a.weightDecay : 0));
  // float64 reference
  const W = Float64Array.from(a.w0);
  const M = new Float64Array(n);
  const Vv = new Float64Array(n);
  a.grads.forEach((g: number[], s: number) => {
    const norm = adam.gradNorm(g);
    expect(Math.abs(norm - a.norms[s]) / a.norms[s]).toBeLessThan(REF_TOL);
    adam.adamwStep(W, M, Vv, g, decay, a.lrs[s], s + 1, hyper, adam.clipScale(norm, a.maxNorm));
  });
  expect(relError(W, a.w)).toBeLessThan(REF_TOL);
  // GPU, replaying one recorded step
  const weights = Tensor.from(ctx, f32(a.w0), [n]);
  const [m, v, grads, gn] = [Tensor.empty(ctx, [n]), Tensor.empty(ctx, [n]), Tensor.empty(ctx, [n]), Tensor.empty(ctx, [2])];
  const state = new StepState(ctx);
  const rec = new Recorder(ctx);
  gradNormForward(rec, gn, grads, a.maxNorm);
  const ranges = [{ offset: 0, count: a.nDecay, weightDecay: a.weightDecay }, { offset: a.nDecay, count: a.nNoDecay, weightDecay: 0 }];
  adamwStep(rec, weights, m, v, grads, state, ranges, hyper, gn);
  for (let s = 0; s < a.grads.length; s++) {
    grads.write(f32(a.grads[s]));
    state.set({ step: s + 1, seed: 0, lr: a.lrs[s] });
    await rec.run();
    expectClose(`grad norm step ${s + 1}`, [(await gn.read())[0]], [a.norms[s]]);
  }
  const got = await weights.read();
  expectClose('w - w0', got.map((x, i) => x - a.w0[i]), a.w.map((x: number, i: number) => x - a.w0[i]));
  rec.destroy();
  state.destroy();
  for (const t of [weights, m, v, grads, gn]) t.destroy();
});
