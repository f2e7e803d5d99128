// Scaled dot-product attention over per-head tensors with materialized probabilities:
//   probs = softmax(scale * q k^T + mask), out = probs v.
// Masks: `causal` (key j visible to query i iff j <= i), key padding via `kvLen` ([B] u32 valid key
// counts: keys j >= kvLen[b] are invisible), and cross attention by Tq != Tk. A query with no
// visible key gets zero probabilities and a zero output. Optional attention dropout drops
// probabilities (counter-based mask over the probs' element index, recomputed in backward).
// `probs` (never dropped) is the saved activation for backward AND the inspection path
// (readAttentionProbs). Forward overwrites out and probs; backward ACCUMULATES into dq, dk, dv.
// The products are batched matmuls over B·H (the device's tuned kernels, which is what makes
// attention fast on CPU drivers); only the masked softmax and its backward are attention's own
// kernels (attention_softmax.wgsl). Every reduction runs in a fixed order (deterministic).
import softmaxWgsl from '../../shaders/attention_softmax.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import { readBytes, Tensor } from '../gpu/tensor';
import { dropoutForward } from './dropout';
import { type MatmulLayout, matmul, type StridedOperand } from './matmul';
import type { StepState } from './step-state';
import { expectNumel, f32, groupsFor, kernelFor, ownedScratch, packParams, unusedWritable } from './util';

export interface AttentionDims {
  B: number;
  H: number; // heads
  Tq: number; // query length
  Tk: number; // key/value length (== Tq for self attention)
  D: number; // head dim
  causal: boolean;
  kvLen?: Tensor; // [B] u32 valid keys per batch row (key-padding mask)
  scale?: number; // default 1 / sqrt(D)
  /** Attention dropout on the probabilities (after softmax, before v), mask from the StepState counters. */
  dropout?: { p: number; stream: number; state: StepState };
}

/**
 * Per-head matrices that are column blocks of a wide [B, T, W] activation: head h of batch row b is
 * columns col + h·D .. col + (h+1)·D of that row's T rows (e.g. q, k and v inside a fused [B, T, 3C]
 * projection, or the merged [B, T, C] output). Attention reads and writes them in place, so no
 * split/merge copies are needed around it.
 */
export interface WideHeads {
  wide: Tensor;
  W: number;
  col: number;
}

/** A contiguous [B, H, T, D] tensor, or head blocks of a wide tensor. */
export type HeadsOperand = Tensor | WideHeads;

interface Strided {
  tensor: Tensor;
  view: StridedOperand;
}

/** Operand `x` of `T` rows x D per head, as a matmul view batched over (b, h); checks its size. */
function heads(op: string, name: string, x: HeadsOperand, d: AttentionDims, T: number): Strided {
  const { B, H, D } = d;
  if (x instanceof Tensor) {
    expectNumel(op, name, x, B * H * T * D);
    return { tensor: x, view: { ld: D, outerStride: H * T * D, innerStride: T * D } };
  }
  expectNumel(op, name, x.wide, B * T * x.W);
  if (x.col + H * D > x.W) throw new Error(`${op}: ${name} columns [${x.col}, ${x.col + H * D}) exceed W=${x.W}`);
  return { tensor: x.wide, view: { offset: x.col, ld: x.W, outerStride: T * x.W, innerStride: D } };
}

/** A [B, H, Tq, Tk] tensor as a matmul view. */
function scores(op: string, name: string, t: Tensor, d: AttentionDims): Strided {
  expectNumel(op, name, t, d.B * d.H * d.Tq * d.Tk);
  return { tensor: t, view: { ld: d.Tk, outerStride: d.H * d.Tq * d.Tk, innerStride: d.Tq * d.Tk } };
}

/** out (+)= op(a) · op(b) for every (b, h): [m, k] x [k, n]. */
function perHeadMatmul(
  rec: Recorder,
  label: string,
  d: AttentionDims,
  [m, n, k]: [number, number, number],
  out: Strided,
  a: Strided,
  b: Strided,
  opts: { transA?: boolean; transB?: boolean; accumulate?: boolean } = {},
): void {
  const layout: MatmulLayout = { m, n, k, batch: [d.B, d.H], a: a.view, b: b.view, out: out.view };
  matmul(rec, { out: out.tensor, a: a.tensor, b: b.tensor, layout, ...opts, label });
}

function checkDims(op: string, d: AttentionDims) {
  if (d.kvLen) expectNumel(op, 'kvLen', d.kvLen, d.B);
  const drop = d.dropout;
  if (drop && !(drop.p >= 0 && drop.p < 1)) throw new Error(`${op}: dropout p must be in [0, 1), got ${drop.p}`);
}

/** A [B, H, Tq, Tk] scratch tensor owned by `rec` (shared by the attention calls recorded into it). */
function scratchScores(rec: Recorder, label: string, d: AttentionDims): Tensor {
  const words = d.B * d.H * d.Tq * d.Tk;
  return new Tensor(rec.ctx, [d.B, d.H, d.Tq, d.Tk], ownedScratch(rec, label, words).buffer, 0, 'f32', false);
}

/** The masked softmax (`forward`, in place on the scores) or its backward (in place on dL/dP). */
function softmaxRows(rec: Recorder, entry: 'forward' | 'backward', target: Tensor, probs: Tensor, d: AttentionDims) {
  const params = packParams([d.B, d.H, d.Tq, d.Tk, d.causal ? 1 : 0, d.kvLen ? 1 : 0, f32(d.scale ?? 1 / Math.sqrt(d.D))]);
  // Unused read bindings (kvLen without padding, probs in forward) get a dummy: the target is
  // writable and may not also be bound for reading.
  const unused = unusedWritable(rec);
  const buffers = [d.kvLen ?? unused, entry === 'forward' ? unused : probs, target];
  kernelFor(rec, `attention.softmax.${entry}`, softmaxWgsl, ['read', 'read', 'write'], entry).record(rec, buffers, groupsFor(rec, d.B * d.H * d.Tq, 64), params);
}

export function attentionForward(
  rec: Recorder,
  out: HeadsOperand, // [B, H, Tq, D]
  probs: Tensor, // [B, H, Tq, Tk] saved for backward, and readable for the attention view
  q: HeadsOperand, // [B, H, Tq, D]
  k: HeadsOperand, // [B, H, Tk, D]
  v: HeadsOperand, // [B, H, Tk, D]
  dims: AttentionDims,
): void {
  const op = 'attentionForward';
  const { Tq, Tk, D } = dims;
  checkDims(op, dims);
  const P = scores(op, 'probs', probs, dims);
  perHeadMatmul(rec, 'attention.scores', dims, [Tq, Tk, D], P, heads(op, 'q', q, dims, Tq), heads(op, 'k', k, dims, Tk), { transB: true });
  softmaxRows(rec, 'forward', probs, probs, dims);
  let weights = P;
  if (dims.dropout) {
    const dropped = scratchScores(rec, 'attention.dropped', dims);
    dropoutForward(rec, dropped, probs, dims.dropout);
    weights = scores(op, 'dropped', dropped, dims);
  }
  perHeadMatmul(rec, 'attention.values', dims, [Tq, D, Tk], heads(op, 'out', out, dims, Tq), weights, heads(op, 'v', v, dims, Tk));
}

/** `dScores` ([B, H, Tq, Tk] f32 scratch) is allocated and owned by rec if omitted. */
export function attentionBackward(
  rec: Recorder,
  dq: HeadsOperand, // [B, H, Tq, D] accumulated
  dk: HeadsOperand, // [B, H, Tk, D] accumulated
  dv: HeadsOperand, // [B, H, Tk, D] accumulated
  dOut: HeadsOperand, // [B, H, Tq, D]
  q: HeadsOperand, // [B, H, Tq, D]
  k: HeadsOperand, // [B, H, Tk, D]
  v: HeadsOperand, // [B, H, Tk, D]
  probs: Tensor, // [B, H, Tq, Tk] from forward
  dims: AttentionDims,
  dScores?: Tensor, // [B, H, Tq, Tk] scratch
): void {
  const op = 'attentionBackward';
  const { Tq, Tk, D } = dims;
  checkDims(op, dims);
  const P = scores(op, 'probs', probs, dims);
  const G = dScores ?? scratchScores(rec, 'attention.backward.dScores', dims);
  const dS = scores(op, 'dScores', G, dims);
  const [Q, K, V, dO] = [heads(op, 'q', q, dims, Tq), heads(op, 'k', k, dims, Tk), heads(op, 'v', v, dims, Tk), heads(op, 'dOut', dOut, dims, Tq)];
  const [dQ, dK, dV] = [heads(op, 'dq', dq, dims, Tq), heads(op, 'dk', dk, dims, Tk), heads(op, 'dv', dv, dims, Tk)];
  // With dropout the values saw the dropped probabilities Pd = mask(P): recompute them for dv,
  // and route dL/dPd back through the same mask to get dL/dP.
  const dropped = dims.dropout ? scratchScores(rec, 'attention.dropped', dims) : undefined;
  const Pd = dropped ? scores(op, 'dropped', dropped, dims) : P;
  if (dropped) dropoutForward(rec, dropped, probs, dims.dropout!);
  perHeadMatmul(rec, 'attention.dvalues', dims, [Tk, D, Tq], dV, Pd, dO, { transA: true, accumulate: true });
  perHeadMatmul(rec, 'attention.dprobs', dims, [Tq, Tk, D], dS, dO, V, { transB: true });
  let dP = dS;
  if (dropped) {
    dropoutForward(rec, dropped, G, dims.dropout!);
    dP = Pd;
  }
  softmaxRows(rec, 'backward', dP.tensor, probs, dims);
  perHeadMatmul(rec, 'attention.dquery', dims, [Tq, D, Tk], dQ, dP, K, { accumulate: true });
  perHeadMatmul(rec, 'attention.dkeys', dims, [Tk, D, Tq], dK, dP, Q, { transA: true, accumulate: true });
}

/**
 * The inspection path: probabilities of batch row `b` as [H, Tq, Tk] (row-major), read after the
 * forward pass that wrote `probs` has run. For the attention view, not for use inside a step.
 */
export async function readAttentionProbs(probs: Tensor, dims: Pick<AttentionDims, 'B' | 'H' | 'Tq' | 'Tk'>, b: number): Promise<Float32Array> {
  const { B, H, Tq, Tk } = dims;
  if (b < 0 || b >= B) throw new Error(`readAttentionProbs: batch row ${b} outside [0, ${B})`);
  const per = H * Tq * Tk;
  return new Float32Array(await readBytes(probs.ctx, probs.buffer, probs.byteOffset + b * per * 4, per * 4));
}
