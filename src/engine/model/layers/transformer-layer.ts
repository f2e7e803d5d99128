// One Transformer layer as a forward/backward pair (llm.c's per-layer loop in gpt2_forward /
// gpt2_backward), in both placements of its layernorms:
//   pre-LN  (GPT-2)      x1 = x + drop(attn(LN1(x)));            out = x1 + drop(mlp(LN2(x1)))
//   post-LN (BERT, BART) y = LN1(x + drop(attn(x))); [y = LNc(y + drop(cross(y, enc)))]; out = LN2(y + drop(mlp(y)))
// attn: self-attention, causal or bidirectional with a key-padding mask, dropout on its
// probabilities; cross: attention of y over the encoder output (post-LN decoders); mlp: fc, GELU
// (tanh or erf form), fc_out. Every residual add is fused with the layernorm that follows it: in
// pre-LN that is the NEXT layer's LN1 (or ln_f), so a pre-LN layer's LN1(x) is written by whatever
// came before it, and it writes the next one's. Dropout sites per layer: 1 attention
// probabilities, 2 attention branch, 3 MLP branch, 4 cross probabilities, 5 cross branch.
// Forward overwrites activations; backward ACCUMULATES parameter gradients (frozen ones skipped).
import type { Recorder } from '../../gpu/kernel';
import type { Tensor } from '../../gpu/tensor';
import { type DropoutSpec, dropoutBackward, dropoutForward } from '../../ops/dropout';
import { fill } from '../../ops/fill';
import { geluBackward, geluForward, type GeluForm } from '../../ops/gelu';
import { type AttentionShape, attentionBlockBackward, attentionBlockForward, linearBackward, linearForward, type QkvSource } from '../blocks';
import type { Linear, Norm } from '../views';
import { type NormActs, normBackward, planNorm, residualNormForward } from './norm';
import type { Names, Plans } from './plan';

export interface LayerParams {
  ln1: Norm; // pre-LN: before attention; post-LN: after the attention residual
  qkv: Linear; // C -> 3C, q|k|v side by side
  attnOut: Linear; // C -> C
  cross?: { q: Linear /* C -> C */; kv: Linear /* C -> 2C, k|v */; out: Linear /* C -> C */; ln: Norm };
  ln2: Norm; // pre-LN: before the MLP; post-LN: after the MLP residual (the layer's output)
  fc: Linear; // C -> F
  fcOut: Linear; // F -> C
}

export interface LayerShape {
  B: number;
  T: number;
  C: number;
  H: number;
  F: number;
  eps: number;
  norm: 'pre' | 'post';
  causal: boolean;
  gelu: GeluForm;
  kvLen?: Tensor; // [B] u32 real keys per row (padding at the tail)
  cross?: { Tk: number; kvLen?: Tensor }; // the encoder's length and padding
}

export interface CrossActs {
  q: Tensor; // [N, C]
  kv: Tensor; // [B*Tk, 2C]
  probs: Tensor; // [B, H, T, Tk]
  atty: Tensor; // [N, C]
  out: Tensor; // [N, C]
  dropped?: Tensor; // [N, C]
  res: Tensor; // [N, C] y + cross
  norm: NormActs; // LNc(res)
}

export interface LayerActs {
  norm1: NormActs; // pre: LN1(x), the attention input; post: LN1(res1)
  qkv: Tensor; // [N, 3C]
  probs: Tensor; // [B, H, T, T]
  atty: Tensor; // [N, C] heads merged
  attnOut: Tensor; // [N, C]
  attnDropped?: Tensor; // [N, C]
  res1: Tensor; // [N, C] x + attention branch
  cross?: CrossActs;
  norm2: NormActs; // pre: LN2(res1), the MLP input; post: LN2(res2), the layer output
  fcPre: Tensor; // [N, F] before GELU
  fc: Tensor; // [N, F]
  mlpOut: Tensor; // [N, C]
  mlpDropped?: Tensor; // [N, C]
  res2: Tensor; // [N, C] MLP input + MLP branch (pre-LN: the layer output)
}

/** Backward scratch, one set shared by every layer of a stack (layers run backward one at a time). */
export interface LayerGrads {
  streamA: Tensor; // [N, C] pre-LN: the running residual gradient; post-LN: one of two
  streamB: Tensor; // [N, C] pre-LN: a norm output's gradient; post-LN: the other stream
  dqkv: Tensor; // [N, 3C]
  datty: Tensor; // [N, C]
  dScores: Tensor; // [B, H, T, T]
  dfc: Tensor; // [N, F]
  dfcPre: Tensor; // [N, F]
  branch?: Tensor; // [N, C] a dropped branch's gradient
  cross?: { dq: Tensor /* [N, C] */; dkv: Tensor /* [B*Tk, 2C] */; datty: Tensor /* [N, C] */; dScores: Tensor /* [B, H, T, Tk] */ };
}

/** What every layer shares: a [1, N] row of ones (bias gradients) and the layernorm scratch. */
export interface LayerShared {
  ones: Tensor; // [1, N]
  lnScratch: Tensor;
}

/** The encoder output a cross-attending layer reads, and where its gradient accumulates. */
export interface EncoderLink {
  enc: Tensor; // [B*Tk, C]
  dEnc: Tensor; // [B*Tk, C] accumulated by every decoder layer
  ones: Tensor; // [1, B*Tk]
}

/** Dropout of a site in this layer (undefined: no dropout, e.g. evaluation). */
export type LayerDropout = (site: number) => DropoutSpec | undefined;

export function planLayer(p: Plans, prefix: string, s: LayerShape, dropout: boolean): Names<LayerActs> {
  const { B, T, C, H, F } = s;
  const N = B * T;
  const add = (name: string, shape: number[]) => p.a.add(`${prefix}.${name}`, shape);
  const cross = s.cross;
  return {
    norm1: planNorm(p.a, `${prefix}.norm1`, N, C),
    qkv: add('qkv', [N, 3 * C]),
    probs: add('probs', [B, H, T, T]),
    atty: add('atty', [N, C]),
    attnOut: add('attnOut', [N, C]),
    attnDropped: dropout ? add('attnDropped', [N, C]) : undefined,
    res1: add('res1', [N, C]),
    cross: cross && {
      q: add('cross.q', [N, C]),
      kv: add('cross.kv', [B * cross.Tk, 2 * C]),
      probs: add('cross.probs', [B, H, T, cross.Tk]),
      atty: add('cross.atty', [N, C]),
      out: add('cross.out', [N, C]),
      dropped: dropout ? add('cross.dropped', [N, C]) : undefined,
      res: add('cross.res', [N, C]),
      norm: planNorm(p.a, `${prefix}.cross.norm`, N, C),
    },
    norm2: planNorm(p.a, `${prefix}.norm2`, N, C),
    fcPre: add('fcPre', [N, F]),
    fc: add('fc', [N, F]),
    mlpOut: add('mlpOut', [N, C]),
    mlpDropped: dropout ? add('mlpDropped', [N, C]) : undefined,
    res2: add('res2', [N, C]),
  };
}

export function planLayerGrads(p: Plans, prefix: string, s: LayerShape, dropout: boolean): Names<LayerGrads> {
  const { B, T, C, H, F } = s;
  const N = B * T;
  const add = (name: string, shape: number[]) => p.d.add(`${prefix}.${name}`, shape);
  return {
    streamA: add('streamA', [N, C]),
    streamB: add('streamB', [N, C]),
    dqkv: add('dqkv', [N, 3 * C]),
    datty: add('datty', [N, C]),
    dScores: add('dScores', [B, H, T, T]),
    dfc: add('dfc', [N, F]),
    dfcPre: add('dfcPre', [N, F]),
    branch: dropout ? add('branch', [N, C]) : undefined,
    cross: s.cross && {
      dq: add('cross.dq', [N, C]),
      dkv: add('cross.dkv', [B * s.cross.Tk, 2 * C]),
      datty: add('cross.datty', [N, C]),
      dScores: add('cross.dScores', [B, H, T, s.cross.Tk]),
    },
  };
}

/** Whether any of the layer's tensors trains (a fully frozen layer below every trainable one needs no backward). */
export function layerTrains(p: LayerParams): boolean {
  const linears = [p.qkv, p.attnOut, p.fc, p.fcOut, ...(p.cross ? [p.cross.q, p.cross.kv, p.cross.out] : [])];
  const norms = [p.ln1, p.ln2, ...(p.cross ? [p.cross.ln] : [])];
  const adapters = linears.flatMap((x) => x.p.lora ?? []);
  return linears.some((x) => x.d.dw || x.d.db) || norms.some((n) => n.dg) || adapters.some((a) => a.da || a.db);
}

/** The layer's output [N, C]: the residual stream (pre-LN) or its last layernorm (post-LN). */
export function layerOutput(a: LayerActs, s: LayerShape): Tensor {
  return s.norm === 'pre' ? a.res2 : a.norm2.out;
}

function selfSource(qkv: Tensor, C: number): QkvSource {
  return { q: qkv, qCol: 0, qW: 3 * C, kv: qkv, kCol: C, vCol: 2 * C, kvW: 3 * C };
}

function crossSource(q: Tensor, kv: Tensor, C: number): QkvSource {
  return { q, qCol: 0, qW: C, kv, kCol: 0, vCol: C, kvW: 2 * C };
}

function selfShape(s: LayerShape, dropout?: DropoutSpec): AttentionShape {
  return { B: s.B, T: s.T, H: s.H, D: s.C / s.H, causal: s.causal, kvLen: s.kvLen, dropout };
}

function crossShape(s: LayerShape, dropout?: DropoutSpec): AttentionShape {
  return { B: s.B, T: s.T, Tk: s.cross!.Tk, H: s.H, D: s.C / s.H, causal: false, kvLen: s.cross!.kvLen, dropout };
}

/**
 * y [N, F] = gelu(x · W + b), keeping x · W + b in fcPre (the tanh form fuses GELU into the matmul,
 * unless LoRA adapters must add their update before it).
 */
function mlpIn(rec: Recorder, a: LayerActs, p: LayerParams, x: Tensor, s: LayerShape, label: string, train: boolean): void {
  if (s.gelu === 'gelu_tanh' && !p.fc.p.lora?.length) {
    linearForward(rec, a.fc, x, p.fc.p, { gelu: true, preGelu: a.fcPre, label: `${label}.fc` });
  } else {
    linearForward(rec, a.fcPre, x, p.fc.p, { label: `${label}.fc`, train });
    geluForward(rec, a.fc, a.fcPre, s.gelu);
  }
}

/** `x` itself, or its dropped copy when this site drops. */
function dropped(rec: Recorder, x: Tensor, copy: Tensor | undefined, spec: DropoutSpec | undefined): Tensor {
  if (!spec) return x;
  if (!copy) throw new Error('transformer layer: a dropout site without its planned copy (plan with dropout)');
  dropoutForward(rec, copy, x, spec);
  return copy;
}

/**
 * Records the layer's forward on x [N, C]. Pre-LN: `a.norm1` must already hold LN1(x), and `next`
 * receives the layernorm of the output (the next layer's LN1 or ln_f), fused with the last residual add.
 */
export function layerForward(
  rec: Recorder,
  a: LayerActs,
  p: LayerParams,
  x: Tensor, // [N, C]
  s: LayerShape,
  opts: { label: string; drop?: LayerDropout; next?: { norm: Norm; acts: NormActs }; encoder?: EncoderLink },
): void {
  const { B, T, C, eps } = s;
  const d = { N: B * T, C, eps };
  const drop = opts.drop ?? (() => undefined);
  // A forward given dropout sites is a training one (LoRA adapters drop their input there too).
  const train = opts.drop !== undefined;
  const L = opts.label;
  const attnIn = s.norm === 'pre' ? a.norm1.out : x;
  linearForward(rec, a.qkv, attnIn, p.qkv.p, { label: `${L}.qkv`, train }); // qkv [N, 3C]
  attentionBlockForward(rec, { probs: a.probs, merged: a.atty }, selfSource(a.qkv, C), selfShape(s, drop(1))); // atty [N, C]
  linearForward(rec, a.attnOut, a.atty, p.attnOut.p, { label: `${L}.attn_out`, train }); // attnOut [N, C]
  const attnBranch = dropped(rec, a.attnOut, a.attnDropped, drop(2));
  if (s.norm === 'pre') {
    if (p.cross || a.cross) throw new Error('transformer layer: cross-attention is assembled for post-LN layers only');
    if (!opts.next) throw new Error('transformer layer: a pre-LN layer writes the next layernorm: pass `next`');
    residualNormForward(rec, a.res1, a.norm2, p.ln2, x, attnBranch, d); // res1 = x + attn; norm2 = LN2(res1)
    mlpIn(rec, a, p, a.norm2.out, s, L, train); // fc [N, F]
    linearForward(rec, a.mlpOut, a.fc, p.fcOut.p, { label: `${L}.fc_out`, train }); // mlpOut [N, C]
    const mlpBranch = dropped(rec, a.mlpOut, a.mlpDropped, drop(3));
    residualNormForward(rec, a.res2, opts.next.acts, opts.next.norm, a.res1, mlpBranch, d); // res2 = res1 + mlp; next = LN(res2)
    return;
  }
  residualNormForward(rec, a.res1, a.norm1, p.ln1, x, attnBranch, d); // res1 = x + attn; y = LN1(res1)
  let y = a.norm1.out;
  if (p.cross && a.cross) {
    const c = a.cross;
    const enc = opts.encoder;
    if (!enc) throw new Error('transformer layer: cross-attention needs the encoder output');
    linearForward(rec, c.q, y, p.cross.q.p, { label: `${L}.cross.q`, train }); // q [N, C]
    linearForward(rec, c.kv, enc.enc, p.cross.kv.p, { label: `${L}.cross.kv`, train }); // kv [B*Tk, 2C]
    attentionBlockForward(rec, { probs: c.probs, merged: c.atty }, crossSource(c.q, c.kv, C), crossShape(s, drop(4)));
    linearForward(rec, c.out, c.atty, p.cross.out.p, { label: `${L}.cross.out`, train });
    residualNormForward(rec, c.res, c.norm, p.cross.ln, y, dropped(rec, c.out, c.dropped, drop(5)), d); // y = LNc(y + cross)
    y = c.norm.out;
  }
  mlpIn(rec, a, p, y, s, L, train);
  linearForward(rec, a.mlpOut, a.fc, p.fcOut.p, { label: `${L}.fc_out`, train });
  residualNormForward(rec, a.res2, a.norm2, p.ln2, y, dropped(rec, a.mlpOut, a.mlpDropped, drop(3)), d); // out = LN2(y + mlp)
}

/**
 * Records the layer's backward. `dOut` [N, C] holds the gradient of the layer's output and is
 * consumed; the returned tensor (dOut itself or the other stream) holds the gradient of x.
 * Pre-LN: dOut must be g.streamA, and the next layernorm's backward must already be in it.
 */
export function layerBackward(
  rec: Recorder,
  g: LayerGrads,
  dOut: Tensor,
  a: LayerActs,
  p: LayerParams,
  x: Tensor, // [N, C] the forward's input
  s: LayerShape,
  shared: LayerShared,
  opts: { label: string; drop?: LayerDropout; encoder?: EncoderLink },
): Tensor {
  const { B, T, C, eps } = s;
  const d = { N: B * T, C, eps };
  const drop = opts.drop ?? (() => undefined);
  const L = opts.label;
  const { ones, lnScratch } = shared;
  // A dropped branch's gradient: the stream's through the same mask (recomputed, not stored).
  const undropped = (grad: Tensor, site: number): Tensor => {
    const spec = drop(site);
    if (!spec) return grad;
    fill(rec, g.branch!);
    dropoutBackward(rec, g.branch!, grad, spec);
    return g.branch!;
  };
  const mlpBack = (dBranch: Tensor, dIn: Tensor, dInMode: 'set' | 'add', mlpIn: Tensor) => {
    linearBackward(rec, g.dfc, 'set', p.fcOut.d, undropped(dBranch, 3), a.fc, p.fcOut.p, ones, `${L}.fc_out`); // dfc [N, F]
    fill(rec, g.dfcPre);
    geluBackward(rec, g.dfcPre, g.dfc, a.fcPre, s.gelu); // dfcPre [N, F]
    linearBackward(rec, dIn, dInMode, p.fc.d, g.dfcPre, mlpIn, p.fc.p, ones, `${L}.fc`); // dIn [N, C]
  };
  const attnBack = (dBranch: Tensor, dIn: Tensor, dInMode: 'set' | 'add', attnIn: Tensor) => {
    linearBackward(rec, g.datty, 'set', p.attnOut.d, undropped(dBranch, 2), a.atty, p.attnOut.p, ones, `${L}.attn_out`); // datty [N, C]
    fill(rec, g.dqkv);
    const src = selfSource(a.qkv, C);
    attentionBlockBackward(rec, { dq: g.dqkv, dkv: g.dqkv }, { dScores: g.dScores }, g.datty, { probs: a.probs, merged: a.atty }, src, selfShape(s, drop(1)));
    linearBackward(rec, dIn, dInMode, p.qkv.d, g.dqkv, attnIn, p.qkv.p, ones, `${L}.qkv`); // dIn [N, C]
  };

  if (s.norm === 'pre') {
    if (dOut !== g.streamA) throw new Error('transformer layer: pre-LN backward runs in place on streamA');
    const dres = dOut; // res2 = res1 + mlp: the MLP branch's gradient is dres, and dres carries on as dres1
    const dnorm = g.streamB;
    mlpBack(dres, dnorm, 'set', a.norm2.out);
    normBackward(rec, dres, dnorm, a.norm2, p.ln2, a.res1, d, lnScratch); // dres1 += LN2'ᵀ dnorm2
    attnBack(dres, dnorm, 'set', a.norm1.out); // res1 = x + attn
    normBackward(rec, dres, dnorm, a.norm1, p.ln1, x, d, lnScratch); // dx += LN1'ᵀ dnorm1
    return dres;
  }
  // Post-LN: each layernorm backward writes a fresh gradient (its input is not the stream), into
  // the other stream; the residual branches then add into it.
  let cur = dOut;
  let other = dOut === g.streamA ? g.streamB : g.streamA;
  const lnBack = (n: Norm, acts: NormActs, input: Tensor) => {
    fill(rec, other);
    normBackward(rec, other, cur, acts, n, input, d, lnScratch);
    [cur, other] = [other, cur];
  };
  const y = a.cross ? a.cross.norm.out : a.norm1.out;
  lnBack(p.ln2, a.norm2, a.res2); // cur = d(y + mlp)
  mlpBack(cur, cur, 'add', y); // cur = dy
  if (p.cross && a.cross && g.cross) {
    const c = a.cross;
    const gc = g.cross;
    const enc = opts.encoder!;
    lnBack(p.cross.ln, c.norm, c.res); // cur = d(y1 + cross), y1 = norm1.out
    linearBackward(rec, gc.datty, 'set', p.cross.out.d, undropped(cur, 5), c.atty, p.cross.out.p, ones, `${L}.cross.out`);
    fill(rec, gc.dq);
    fill(rec, gc.dkv);
    const src = crossSource(c.q, c.kv, C);
    attentionBlockBackward(rec, { dq: gc.dq, dkv: gc.dkv }, { dScores: gc.dScores }, gc.datty, { probs: c.probs, merged: c.atty }, src, crossShape(s, drop(4)));
    linearBackward(rec, cur, 'add', p.cross.q.d, gc.dq, a.norm1.out, p.cross.q.p, ones, `${L}.cross.q`);
    linearBackward(rec, enc.dEnc, 'add', p.cross.kv.d, gc.dkv, enc.enc, p.cross.kv.p, enc.ones, `${L}.cross.kv`);
  }
  lnBack(p.ln1, a.norm1, a.res1); // cur = d(x + attn)
  attnBack(cur, cur, 'add', x); // cur = dx
  return cur;
}
