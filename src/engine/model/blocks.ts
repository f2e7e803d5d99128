// The pieces every Transformer here is assembled from, each a forward/backward pair over views of
// the activation arena (forward overwrites, backward ACCUMULATES, as the ops do):
//   linear     Hugging Face's two weight layouts: GPT-2's Conv1D [in, out] and nn.Linear [out, in]
//   attention  scaled dot-product attention on the heads inside a fused projection [N, W] -> merged [N, C]
import { matmul } from '../ops/matmul';
import { attentionBackward, attentionForward, type WideHeads } from '../ops/attention';
import type { Tensor } from '../gpu/tensor';
import type { Recorder } from '../gpu/kernel';
import type { DropoutSpec } from '../ops/dropout';
import type { Arena, ArenaPlan } from './arena';
import { type LoraAdapter, loraBackward, loraForward } from './layers/lora';

/** 'in_out': y = x W (GPT-2 Conv1D). 'out_in': y = x Wᵀ (nn.Linear, BERT, BART). */
export type WeightForm = 'in_out' | 'out_in';

export interface LinearParams {
  w: Tensor;
  b?: Tensor;
  form: WeightForm;
  /** LoRA adapters adding s · (x Aᵀ) Bᵀ to (slices of) the output; see layers/lora.ts. */
  lora?: readonly LoraAdapter[];
}

/** Undefined gradients are frozen parameters: their matmuls are not recorded at all. */
export interface LinearGrads {
  dw?: Tensor;
  db?: Tensor;
}

/** A row-major 2D view of `t` (same buffer and offset). */
export function as2d(t: Tensor, rows: number, cols: number): Tensor {
  if (t.numel < rows * cols) throw new Error(`as2d: tensor [${t.shape}] has fewer than ${rows}x${cols} elements`);
  return t.view([rows, cols], 0);
}

/** y [N, out] = x [N, in] · W (+ b) (+ the adapters'), optionally through GELU (preGelu [N, out] keeps x·W + b). */
export function linearForward(
  rec: Recorder,
  y: Tensor,
  x: Tensor,
  p: LinearParams,
  /** train: a training forward (adapters apply their lora_dropout). */
  opts: { gelu?: boolean; preGelu?: Tensor; label?: string; train?: boolean } = {},
): void {
  const label = opts.label ?? 'linear';
  if (p.lora?.length && opts.gelu) throw new Error(`${label}: GELU fused into a linear with LoRA adapters would apply before their update: run GELU separately`);
  matmul(rec, { out: y, a: x, b: p.w, transB: p.form === 'out_in', bias: p.b, gelu: opts.gelu, preGelu: opts.preGelu, label });
  for (const ad of p.lora ?? []) loraForward(rec, y, x, ad, label, opts.train ?? false);
}

/**
 * dx [N, in] (= or +=) dy · Wᵀ, dW += xᵀ · dy (or dyᵀ · x for [out, in]), db += 1ᵀ · dy.
 * `ones` is a [1, N] row of ones: the bias gradient is a matmul that sums the rows of dy.
 * dx is overwritten when this is its only contribution ('set'), saving a clear. A frozen layer
 * (no dw, no db) costs only its dx matmul.
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
  if (g.dw && inOut) matmul(rec, { out: g.dw, a: x, b: dy, transA: true, accumulate: true, label: `${label}.dw` });
  else if (g.dw) matmul(rec, { out: g.dw, a: dy, b: x, transA: true, accumulate: true, label: `${label}.dw` });
  if (g.db) matmul(rec, { out: g.db.view([1, g.db.numel], 0), a: ones, b: dy, accumulate: true, label: `${label}.db` });
  // The adapters add to dx after the base matmul has set or added its share.
  for (const ad of p.lora ?? []) loraBackward(rec, dx, dy, x, ad, label);
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

/** The activations one attention call keeps for backward (q, k and v stay in the projections). */
export interface AttentionActs {
  probs: Tensor; // [B, H, T, Tk]
  merged: Tensor; // [N, C] attention output, heads side by side
}

/** Per-layer scratch of the attention backward, shared by every layer. */
export interface AttentionGrads {
  dScores: Tensor; // [B, H, T, Tk] scratch, overwritten
}

export function planAttentionGrads(d: ArenaPlan, prefix: string, s: { B: number; H: number; T: number; Tk?: number }): void {
  d.add(`${prefix}.dScores`, [s.B, s.H, s.T, s.Tk ?? s.T]);
}

export function attentionGrads(d: Arena, prefix: string): AttentionGrads {
  return { dScores: d.get(`${prefix}.dScores`) };
}

function dims(s: AttentionShape) {
  return { B: s.B, H: s.H, Tq: s.T, Tk: s.Tk ?? s.T, D: s.D, causal: s.causal, kvLen: s.kvLen, dropout: s.dropout };
}

/** The per-head views of q, k and v inside the fused projections. */
function qkvHeads(src: QkvSource): [WideHeads, WideHeads, WideHeads] {
  return [
    { wide: src.q, W: src.qW, col: src.qCol },
    { wide: src.kv, W: src.kvW, col: src.kCol },
    { wide: src.kv, W: src.kvW, col: src.vCol },
  ];
}

/** merged [N, C] = attention(q, k, v), read from and written to the wide tensors in place. */
export function attentionBlockForward(rec: Recorder, a: AttentionActs, src: QkvSource, s: AttentionShape): void {
  const [q, k, v] = qkvHeads(src);
  attentionForward(rec, { wide: a.merged, W: s.H * s.D, col: 0 }, a.probs, q, k, v, dims(s));
}

/** dq/dkv (the fused projections' gradients, [N, W]) += from dMerged [N, C]. */
export function attentionBlockBackward(
  rec: Recorder,
  dSrc: { dq: Tensor; dkv: Tensor },
  g: AttentionGrads,
  dMerged: Tensor,
  a: AttentionActs,
  src: QkvSource,
  s: AttentionShape,
): void {
  const [q, k, v] = qkvHeads(src);
  const [dq, dk, dv] = qkvHeads({ ...src, q: dSrc.dq, kv: dSrc.dkv });
  attentionBackward(rec, dq, dk, dv, { wide: dMerged, W: s.H * s.D, col: 0 }, q, k, v, a.probs, dims(s), g.dScores);
}
