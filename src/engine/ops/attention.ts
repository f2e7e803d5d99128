// Scaled dot-product attention over per-head tensors with materialized probabilities:
//   probs = softmax(scale * q k^T + mask), out = probs v.
// Masks: `causal` (key j visible to query i iff j <= i), key padding via `kvLen` ([B] u32 valid key
// counts: keys j >= kvLen[b] are invisible), and cross attention by Tq != Tk. A query with no
// visible key gets zero probabilities and a zero output. Optional attention dropout drops
// probabilities (counter-based mask, recomputed in backward). `probs` (never dropped) is the saved activation for
// backward AND the inspection path (readAttentionProbs). Forward overwrites out and probs;
// backward ACCUMULATES into dq, dk, dv. All reductions are in a fixed order (deterministic).
import backwardWgsl from '../../shaders/attention_backward.wgsl?raw';
import forwardWgsl from '../../shaders/attention_forward.wgsl?raw';
import lanesWgsl from '../../shaders/attention_lanes.wgsl?raw';
import rngWgsl from '../../shaders/rng.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import { readBytes, type Tensor } from '../gpu/tensor';
import { dropoutThreshold } from '../reference/dropout';
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

function params(d: AttentionDims): Uint32Array {
  const drop = d.dropout;
  if (drop && !(drop.p >= 0 && drop.p < 1)) throw new Error(`attention: dropout p must be in [0, 1), got ${drop.p}`);
  return packParams([
    d.B, d.H, d.Tq, d.Tk, d.D, d.causal ? 1 : 0, d.kvLen ? 1 : 0, f32(d.scale ?? 1 / Math.sqrt(d.D)),
    drop ? 1 : 0, drop ? dropoutThreshold(drop.p) : 0, f32(drop ? 1 / (1 - drop.p) : 1), drop ? drop.stream >>> 0 : 0,
  ]);
}

const [vec4Lanes, scalarLanes] = lanesWgsl.split('//--- scalar');

/** Shader source for head dim D: vec4 lanes when D % 4 == 0, scalar otherwise. */
function withLanes(code: string, D: number): { code: string; lanes: number } {
  const lanes = D % 4 === 0 ? 4 : 1;
  return { code: (lanes === 4 ? vec4Lanes : scalarLanes) + rngWgsl + code, lanes };
}

function stateBinding(rec: Recorder, d: AttentionDims): GPUBufferBinding {
  return d.dropout ? d.dropout.state.binding() : unusedWritable(rec);
}

function checkInputs(op: string, d: AttentionDims, q: Tensor, k: Tensor, v: Tensor, probs: Tensor) {
  const { B, H, Tq, Tk, D } = d;
  expectNumel(op, 'q', q, B * H * Tq * D);
  expectNumel(op, 'k', k, B * H * Tk * D);
  expectNumel(op, 'v', v, B * H * Tk * D);
  expectNumel(op, 'probs', probs, B * H * Tq * Tk);
  if (d.kvLen) expectNumel(op, 'kvLen', d.kvLen, B);
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
  const { B, H, Tq, D } = dims;
  checkInputs('attentionForward', dims, q, k, v, probs);
  expectNumel('attentionForward', 'out', out, B * H * Tq * D);
  const buffers = [q, k, v, dims.kvLen ?? q, probs, out, stateBinding(rec, dims)];
  const storage = ['read', 'read', 'read', 'read', 'write', 'write', 'read'] as const;
  const p = params(dims);
  const { code, lanes } = withLanes(forwardWgsl, D);
  kernelFor(rec, `attention.forward.scores.x${lanes}`, code, storage, 'scores').record(rec, buffers, groupsFor(rec, B * H * Tq, 64), p);
  kernelFor(rec, `attention.forward.values.x${lanes}`, code, storage, 'values').record(rec, buffers, groupsFor(rec, (B * H * Tq * D) / lanes, 256), p);
}

/** Three dispatches; `dScores` ([B, H, Tq, Tk] f32 scratch) is allocated and owned by rec if omitted. */
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
  const scratch = dScores ?? ownedScratch(rec, 'attention.backward.dScores', B * H * Tq * Tk);
  const buffers = [q, k, v, dims.kvLen ?? q, probs, dOut, scratch, dq, dk, dv, stateBinding(rec, dims)];
  const storage = ['read', 'read', 'read', 'read', 'read', 'read', 'write', 'write', 'write', 'write', 'read'] as const;
  const p = params(dims);
  const { code, lanes } = withLanes(backwardWgsl, D);
  kernelFor(rec, `attention.backward.row.x${lanes}`, code, storage, 'row').record(rec, buffers, groupsFor(rec, B * H * Tq, 64), p);
  kernelFor(rec, `attention.backward.dquery.x${lanes}`, code, storage, 'dquery').record(rec, buffers, groupsFor(rec, (B * H * Tq * D) / lanes, 256), p);
  kernelFor(rec, `attention.backward.dkeyvalue.x${lanes}`, code, storage, 'dkeyvalue').record(rec, buffers, groupsFor(rec, (B * H * Tk * D) / lanes, 256), p);
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
