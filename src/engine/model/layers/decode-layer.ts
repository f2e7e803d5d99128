// The inference half of transformer-layer.ts: one pre-LN layer fed `rows` new tokens at positions
// pos0, pos0+1, … (read from the step header on the GPU, so one recorded trace serves every
// position), attending over its key/value cache and appending to it. It binds the same LayerParams
// the training layer binds, so a GPT's training graph and its KV-cache decoder share one
// definition of the layer's tensors:
//   xn = LN1(x); qkv = xn Wqkv; cache[pos] = k, v; a = attention(q, cache[0..pos])   causal by construction
//   x += a Wo; xn = LN2(x); h = gelu(xn Wfc); x += h Wfc_out
// One row runs on matvec kernels; several rows (a prompt's prefill) on the tiled matmul, whose
// rows past nRows compute on zeros (the embedding and layernorm kernels write zeros there) and are
// never read. Exact-erf GELU has no matmul epilogue, so such models, and out_in weights, stay on
// the matvec.
import type { Recorder } from '../../gpu/kernel';
import type { Tensor } from '../../gpu/tensor';
import { decodeAttention, decodeCrossAttention, decodeKvAppend, decodeLayernorm, decodeMatvec } from '../../ops/decode';
import { matmul } from '../../ops/matmul';
import type { GeluForm } from '../../ops/gelu';
import type { Linear, Norm } from '../views';
import type { LayerParams } from './transformer-layer';

/** One layer's cache: keys and values of every position so far, [H, maxT, D] each. */
export interface KvCache {
  k: Tensor;
  v: Tensor;
}

/**
 * A decoder layer's cross-attention source, computed once per source sentence: the encoder
 * output's keys and values kv = enc W_kv + b [maxS, 2C] (k | v per position), and the source
 * length Ts in src (u32 [1]), read on the GPU so one trace serves every source.
 */
export interface CrossCache {
  kv: Tensor;
  src: Tensor;
}

/** Scratch every layer of a decoder shares (layers run one after another), sized for R rows. */
export interface DecodeActs {
  x: Tensor; // [R, C] the residual stream
  xn: Tensor; // [R, C] a layernorm's output
  qkv: Tensor; // [R, 3C]
  att: Tensor; // [R, C] heads merged
  hidden: Tensor; // [R, F]
  scores: Tensor; // [R, H, maxT]
}

export interface DecodeShape {
  C: number;
  H: number;
  F: number;
  maxT: number;
  eps: number;
  gelu: GeluForm;
}

/** Views of the shared scratch for a trace of `rows` rows. */
export function decodeRows(a: DecodeActs, rows: number, s: DecodeShape): DecodeActs {
  const { C, H, F, maxT } = s;
  return {
    x: a.x.view([rows, C], 0),
    xn: a.xn.view([rows, C], 0),
    qkv: a.qkv.view([rows, 3 * C], 0),
    att: a.att.view([rows, C], 0),
    hidden: a.hidden.view([rows, F], 0),
    scores: a.scores.view([rows, H, maxT], 0),
  };
}

/** y (+)= [gelu](inp W + b) over `rows` rows: K -> N. */
export function decodeLinear(rec: Recorder, step: Tensor, rows: number, y: Tensor, inp: Tensor, lin: Linear, K: number, N: number, gelu: boolean, accumulate: boolean, s: DecodeShape, label: string): void {
  const { w, b, form } = lin.p;
  if (rows > 1 && form === 'in_out' && s.gelu === 'gelu_tanh') {
    matmul(rec, { out: y, a: inp, b: w.view([K, N], 0), bias: b, gelu, accumulate, label: `decode.prefill.${label}` });
  } else {
    decodeMatvec(rec, y, step, inp, w, form === 'in_out' ? 'kn' : 'nk', rows, K, N, { bias: b ?? null, activation: gelu ? s.gelu : null, accumulate });
  }
}

/** Norm's shift, or null where the model has none (bias-free layernorms bind a zero shift). */
function shift(n: Norm, hasBias: boolean): Tensor | null {
  return hasBias ? n.b : null;
}

/** One layer over `a.x` (rows at the step header's positions); appends to `cache`. */
export function layerDecode(rec: Recorder, p: LayerParams, a: DecodeActs, cache: KvCache, step: Tensor, rows: number, s: DecodeShape, hasBias: boolean, label: string): void {
  const { C, F, H, maxT, eps } = s;
  const D = C / H;
  decodeLayernorm(rec, a.xn, step, a.x, p.ln1.g, shift(p.ln1, hasBias), rows, C, eps);
  decodeLinear(rec, step, rows, a.qkv, a.xn, p.qkv, C, 3 * C, false, false, s, `${label}.qkv`); // [R, 3C]
  decodeKvAppend(rec, cache.k, cache.v, step, a.qkv, rows, C, D, maxT);
  decodeAttention(rec, a.att, a.scores, step, a.qkv, cache.k, cache.v, rows, C, D, maxT); // [R, C]
  decodeLinear(rec, step, rows, a.x, a.att, p.attnOut, C, C, false, true, s, `${label}.attnOut`); // x += a Wo
  decodeLayernorm(rec, a.xn, step, a.x, p.ln2.g, shift(p.ln2, hasBias), rows, C, eps);
  decodeLinear(rec, step, rows, a.hidden, a.xn, p.fc, C, F, true, false, s, `${label}.fc`); // [R, F]
  decodeLinear(rec, step, rows, a.x, a.hidden, p.fcOut, F, C, false, true, s, `${label}.fcOut`); // x += h Wfc_out
}

/**
 * One post-LN decoder layer with cross-attention (BART's, transformer-layer.ts's post-LN branch)
 * over `a.x` (rows at the step header's positions); appends to `cache`, reads `cross`, and leaves
 * its output in `a.xn`: post-LN normalizes the residual sum into another buffer, so the caller
 * swaps x and xn between layers (the kernels may not read and write one binding).
 *   qkv = x Wqkv; cache[pos] = k, v; x += attention(q, cache[0..pos]) Wo;  xn = LN1(x)
 *   q = xn Wq;   xn += attention(q, cross[0..Ts)) Wco;                  x = LNc(xn)
 *   x += gelu(x Wfc) Wfc_out;                                           xn = LN2(x)
 */
export function postLayerDecode(rec: Recorder, p: LayerParams, a: DecodeActs, cache: KvCache, cross: CrossCache, step: Tensor, rows: number, s: DecodeShape, hasBias: boolean, label: string): void {
  const { C, F, H, maxT, eps } = s;
  const D = C / H;
  if (!p.cross) throw new Error(`decode layer ${label}: a post-LN decoder layer needs its cross-attention parameters`);
  decodeLinear(rec, step, rows, a.qkv, a.x, p.qkv, C, 3 * C, false, false, s, `${label}.qkv`); // [R, 3C]
  decodeKvAppend(rec, cache.k, cache.v, step, a.qkv, rows, C, D, maxT);
  decodeAttention(rec, a.att, a.scores, step, a.qkv, cache.k, cache.v, rows, C, D, maxT); // [R, C]
  decodeLinear(rec, step, rows, a.x, a.att, p.attnOut, C, C, false, true, s, `${label}.attnOut`); // x += a Wo
  decodeLayernorm(rec, a.xn, step, a.x, p.ln1.g, shift(p.ln1, hasBias), rows, C, eps);
  const q = a.qkv.view([rows, C], 0); // qkv is spent: its first R·C floats hold the cross query
  decodeLinear(rec, step, rows, q, a.xn, p.cross.q, C, C, false, false, s, `${label}.cross.q`);
  decodeCrossAttention(rec, a.att, a.scores, step, q, cross.kv, cross.src, rows, C, D, maxT); // [R, C]
  decodeLinear(rec, step, rows, a.xn, a.att, p.cross.out, C, C, false, true, s, `${label}.cross.out`); // xn += c Wco
  decodeLayernorm(rec, a.x, step, a.xn, p.cross.ln.g, shift(p.cross.ln, hasBias), rows, C, eps);
  decodeLinear(rec, step, rows, a.hidden, a.x, p.fc, C, F, true, false, s, `${label}.fc`); // [R, F]
  decodeLinear(rec, step, rows, a.x, a.hidden, p.fcOut, F, C, false, true, s, `${label}.fcOut`); // x += h Wfc_out
  decodeLayernorm(rec, a.xn, step, a.x, p.ln2.g, shift(p.ln2, hasBias), rows, C, eps);
}
