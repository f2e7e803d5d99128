// The pieces every Transformer here is assembled from, each a forward/backward pair over views of
// the activation arena (forward overwrites, backward ACCUMULATES, as the ops do):
//   linear     Hugging Face's two weight layouts: GPT-2's Conv1D [in, out] and nn.Linear [out, in]
//   attention  fused projection [N, W] -> heads -> scaled dot-product attention -> merged [N, C]
import { matmul } from '../ops/matmul';
import { attentionBackward, attentionForward } from '../ops/attention';
import { headsMergeBackward, headsMergeForward, headsSplitBackward, headsSplitForward } from '../ops/heads';
import type { Tensor } from '../gpu/tensor';
import type { Recorder } from '../gpu/kernel';
import type { DropoutSpec } from '../ops/dropout';
import { fill } from '../ops/fill';
import type { Arena, ArenaPlan } from './arena';

/** 'in_out': y = x W (GPT-2 Conv1D). 'out_in': y = x Wᵀ (nn.Linear, BERT, BART). */
export type WeightForm = 'in_out' | 'out_in';

export interface LinearParams {
  w: Tensor;
  b?: Tensor;
  form: WeightForm;
}

export interface LinearGrads {
  dw: Tensor;
  db?: Tensor;
}

/** A row-major 2D view of `t` (same buffer and offset). */
export function as2d(t: Tensor, rows: number, cols: number): Tensor {
  if (t.numel < rows * cols) throw new Error(`as2d: tensor [${t.shape}] has fewer than ${rows}x${cols} elements`);
  return t.view([rows, cols], 0);
}

/** y [N, out] = x [N, in] · W (+ b), optionally through GELU (preGelu [N, out] keeps x·W + b). */
export function linearForward(
  rec: Recorder,
  y: Tensor,
  x: Tensor,
  p: LinearParams,
  opts: { gelu?: boolean; preGelu?: Tensor; label?: string } = {},
): void {
  matmul(rec, { out: y, a: x, b: p.w, transB: p.form === 'out_in', bias: p.b, gelu: opts.gelu, preGelu: opts.preGelu, label: opts.label });
}

/**
 * dx [N, in] (= or +=) dy · Wᵀ, dW += xᵀ · dy (or dyᵀ · x for [out, in]), db += 1ᵀ · dy.
 * `ones` is a [1, N] row of ones: the bias gradient is a matmul that sums the rows of dy.
 * dx is overwritten when this is its only contribution ('set'), saving a clear.
 */
export function linearBackward(
  rec: Recorder,
  dx: Tensor | undefined,
  dxMode: 'set' | 'add',
  g: LinearGrads,
  dy: Tensor,
  x: Tensor,
  p: LinearParams,
  ones: Tensor,
  label = 'linear',
): void {
  const inOut = p.form === 'in_out';
  if (dx) matmul(rec, { out: dx, a: dy, b: p.w, transB: inOut, accumulate: dxMode === 'add', label: `${label}.dx` });
  if (inOut) matmul(rec, { out: g.dw, a: x, b: dy, transA: true, accumulate: true, label: `${label}.dw` });
  else matmul(rec, { out: g.dw, a: dy, b: x, transA: true, accumulate: true, label: `${label}.dw` });
  if (g.db) matmul(rec, { out: g.db.view([1, g.db.numel], 0), a: ones, b: dy, accumulate: true, label: `${label}.db` });
}

export interface AttentionShape {
  B: number;
  T: number; // query length
  Tk?: number; // key length (cross attention), default T
  H: number;
  D: number;
  causal: boolean;
  kvLen?: Tensor; // [B] u32 valid keys per row (padding)
  /** Dropout on the attention probabilities (training forward and its backward only). */
  dropout?: DropoutSpec;
}

/** Where q, k and v sit: columns of fused projections ([N, W] tensors). */
export interface QkvSource {
  q: Tensor;
  qCol: number;
  qW: number;
  kv: Tensor;
  kCol: number;
  vCol: number;
  kvW: number;
}

/** The activations one attention call keeps for backward. */
export interface AttentionActs {
  q: Tensor; // [B, H, T, D]
  k: Tensor; // [B, H, Tk, D]
  v: Tensor; // [B, H, Tk, D]
  probs: Tensor; // [B, H, T, Tk]
  heads: Tensor; // [B, H, T, D] attention output per head
  merged: Tensor; // [N, C]
}

export interface AttentionGrads {
  dq: Tensor;
  dk: Tensor;
  dv: Tensor;
  dheads: Tensor;
  dScores: Tensor; // [B, H, T, Tk] scratch, overwritten
  /** The buffers the backward accumulates into, to clear before each use. */
  clear: Tensor[];
}

/**
 * Plans one set of attention gradients under `prefix`, shared by every layer (each layer's backward
 * clears and reuses it). dq, dk and dv are 256-byte aligned views of one buffer: one clear, and
 * the attention backward may bind one buffer writable three times.
 */
export function planAttentionGrads(d: ArenaPlan, prefix: string, s: { B: number; H: number; T: number; Tk?: number; D: number }): void {
  const q = s.B * s.H * s.T * s.D;
  const kv = s.B * s.H * (s.Tk ?? s.T) * s.D;
  d.add(`${prefix}.dqkv`, [align64(q) + 2 * align64(kv)]);
  d.add(`${prefix}.dheads`, [s.B, s.H, s.T, s.D]);
  d.add(`${prefix}.dScores`, [s.B, s.H, s.T, s.Tk ?? s.T]);
}

export function attentionGrads(d: Arena, prefix: string, s: { B: number; H: number; T: number; Tk?: number; D: number }): AttentionGrads {
  const Tk = s.Tk ?? s.T;
  const q = s.B * s.H * s.T * s.D;
  const kv = s.B * s.H * Tk * s.D;
  const all = d.get(`${prefix}.dqkv`);
  const dheads = d.get(`${prefix}.dheads`);
  return {
    dq: all.view([s.B, s.H, s.T, s.D], 0),
    dk: all.view([s.B, s.H, Tk, s.D], align64(q) * 4),
    dv: all.view([s.B, s.H, Tk, s.D], (align64(q) + align64(kv)) * 4),
    dheads,
    dScores: d.get(`${prefix}.dScores`),
    clear: [all, dheads],
  };
}

const align64 = (n: number) => Math.ceil(n / 64) * 64;

function dims(s: AttentionShape) {
  return { B: s.B, H: s.H, Tq: s.T, Tk: s.Tk ?? s.T, D: s.D, causal: s.causal, kvLen: s.kvLen, dropout: s.dropout };
}

/** merged [N, C] = attention(q, k, v) from columns of the fused projections. */
export function attentionBlockForward(rec: Recorder, a: AttentionActs, src: QkvSource, s: AttentionShape): void {
  const { B, T, H, D } = s;
  const Tk = s.Tk ?? T;
  headsSplitForward(rec, a.q, src.q, { B, T, H, D, W: src.qW, col: src.qCol });
  headsSplitForward(rec, a.k, src.kv, { B, T: Tk, H, D, W: src.kvW, col: src.kCol });
  headsSplitForward(rec, a.v, src.kv, { B, T: Tk, H, D, W: src.kvW, col: src.vCol });
  attentionForward(rec, a.heads, a.probs, a.q, a.k, a.v, dims(s));
  headsMergeForward(rec, a.merged, a.heads, { B, T, H, D });
}

/** dq/dkv (the fused projections' gradients, [N, W]) += from dMerged [N, C]. Clears `g` first. */
export function attentionBlockBackward(
  rec: Recorder,
  dSrc: { dq: Tensor; dkv: Tensor },
  g: AttentionGrads,
  dMerged: Tensor,
  a: AttentionActs,
  src: QkvSource,
  s: AttentionShape,
): void {
  const { B, T, H, D } = s;
  const Tk = s.Tk ?? T;
  for (const t of g.clear) fill(rec, t);
  headsMergeBackward(rec, g.dheads, dMerged, { B, T, H, D });
  attentionBackward(rec, g.dq, g.dk, g.dv, g.dheads, a.q, a.k, a.v, a.probs, dims(s), g.dScores);
  headsSplitBackward(rec, dSrc.dq, g.dq, { B, T, H, D, W: src.qW, col: src.qCol });
  headsSplitBackward(rec, dSrc.dkv, g.dk, { B, T: Tk, H, D, W: src.kvW, col: src.kCol });
  headsSplitBackward(rec, dSrc.dkv, g.dv, { B, T: Tk, H, D, W: src.kvW, col: src.vCol });
}
