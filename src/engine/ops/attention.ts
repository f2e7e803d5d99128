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
import { matmul } from './matmul';
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

function checkInputs(op: string, d: AttentionDims, q: Tensor, k: Tensor, v: Tensor, probs: Tensor) {
  const { B, H, Tq, Tk, D } = d;
  expectNumel(op, 'q', q, B * H * Tq * D);
  expectNumel(op, 'k', k, B * H * Tk * D);
  expectNumel(op, 'v', v, B * H * Tk * D);
  expectNumel(op, 'probs', probs, B * H * Tq * Tk);
  if (d.kvLen) expectNumel(op, 'kvLen', d.kvLen, B);
  const drop = d.dropout;
  if (drop && !(drop.p >= 0 && drop.p < 1)) throw new Error(`${op}: dropout p must be in [0, 1), got ${drop.p}`);
}

/** `t` seen as B·H matrices of rows x cols (the matmul batch). */
const perHead = (t: Tensor, d: AttentionDims, rows: number, cols: number) => t.view([d.B * d.H, rows, cols], 0);

/** A [B·H, Tq, Tk] scratch matrix owned by `rec`. */
function scratchScores(rec: Recorder, label: string, d: AttentionDims): Tensor {
  const { buffer } = ownedScratch(rec, label, d.B * d.H * d.Tq * d.Tk);
  return new Tensor(rec.ctx, [d.B * d.H, d.Tq, d.Tk], buffer, 0, 'f32', false);
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
  out: Tensor, // [B, H, Tq, D]
  probs: Tensor, // [B, H, Tq, Tk] saved for backward, and readable for the attention view
  q: Tensor, // [B, H, Tq, D]
  k: Tensor, // [B, H, Tk, D]
  v: Tensor, // [B, H, Tk, D]
  dims: AttentionDims,
): void {
  const { B, H, Tq, Tk, D } = dims;
  checkInputs('attentionForward', dims, q, k, v, probs);
  expectNumel('attentionForward', 'out', out, B * H * Tq * D);
  const P = perHead(probs, dims, Tq, Tk);
  matmul(rec, { out: P, a: perHead(q, dims, Tq, D), b: perHead(k, dims, Tk, D), transB: true, label: 'attention.scores' });
  softmaxRows(rec, 'forward', P, P, dims);
  let weights = P;
  if (dims.dropout) {
    weights = scratchScores(rec, 'attention.forward.dropped', dims);
    dropoutForward(rec, weights, P, dims.dropout);
  }
  matmul(rec, { out: perHead(out, dims, Tq, D), a: weights, b: perHead(v, dims, Tk, D), label: 'attention.values' });
}

/** `dScores` ([B, H, Tq, Tk] f32 scratch) is allocated and owned by rec if omitted. */
export function attentionBackward(
  rec: Recorder,
  dq: Tensor, // [B, H, Tq, D] accumulated
  dk: Tensor, // [B, H, Tk, D] accumulated
  dv: Tensor, // [B, H, Tk, D] accumulated
  dOut: Tensor, // [B, H, Tq, D]
  q: Tensor, // [B, H, Tq, D]
  k: Tensor, // [B, H, Tk, D]
  v: Tensor, // [B, H, Tk, D]
  probs: Tensor, // [B, H, Tq, Tk] from forward
  dims: AttentionDims,
  dScores?: Tensor, // [B, H, Tq, Tk] scratch
): void {
  const { B, H, Tq, Tk, D } = dims;
  checkInputs('attentionBackward', dims, q, k, v, probs);
  expectNumel('attentionBackward', 'dq', dq, B * H * Tq * D);
  expectNumel('attentionBackward', 'dk', dk, B * H * Tk * D);
  expectNumel('attentionBackward', 'dv', dv, B * H * Tk * D);
  expectNumel('attentionBackward', 'dOut', dOut, B * H * Tq * D);
  if (dScores) expectNumel('attentionBackward', 'dScores', dScores, B * H * Tq * Tk);
  const P = perHead(probs, dims, Tq, Tk);
  const G = dScores ? perHead(dScores, dims, Tq, Tk) : scratchScores(rec, 'attention.backward.dScores', dims);
  const [Q, K, V, dO] = [perHead(q, dims, Tq, D), perHead(k, dims, Tk, D), perHead(v, dims, Tk, D), perHead(dOut, dims, Tq, D)];
  // With dropout the values saw the dropped probabilities Pd = mask(P): recompute them for dv,
  // and route dL/dPd back through the same mask to get dL/dP.
  const dropped = dims.dropout ? scratchScores(rec, 'attention.backward.dropped', dims) : undefined;
  if (dropped) dropoutForward(rec, dropped, P, dims.dropout!);
  matmul(rec, { out: perHead(dv, dims, Tk, D), a: dropped ?? P, b: dO, transA: true, accumulate: true, label: 'attention.dvalues' });
  matmul(rec, { out: G, a: dO, b: V, transB: true, label: 'attention.dprobs' });
  let dP = G;
  if (dropped) {
    dropoutForward(rec, dropped, G, dims.dropout!);
    dP = dropped;
  }
  softmaxRows(rec, 'backward', dP, P, dims);
  matmul(rec, { out: perHead(dq, dims, Tq, D), a: dP, b: K, accumulate: true, label: 'attention.dquery' });
  matmul(rec, { out: perHead(dk, dims, Tk, D), a: dP, b: Q, transA: true, accumulate: true, label: 'attention.dkeys' });
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
