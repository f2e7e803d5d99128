// Embeddings: x = wte[ids] + wpe[t] (+ wtt[types]), then a layernorm in post-LN models (BERT,
// BART's layernorm_embedding), then dropout. llm.c's encoder_forward / encoder_backward.
import type { Recorder } from '../../gpu/kernel';
import type { Tensor } from '../../gpu/tensor';
import { type DropoutSpec, dropoutBackward, dropoutForward } from '../../ops/dropout';
import { embeddingBackward, embeddingForward, positionEmbeddingBackward, positionEmbeddingForward } from '../../ops/embedding';
import { fill } from '../../ops/fill';
import type { Norm } from '../views';
import { type NormActs, normBackward, normForward, planNorm } from './norm';
import type { Names, Plans } from './plan';

export interface EmbeddingParams {
  tokens: Tensor; // [V, C]
  positions: Tensor; // [maxT >= T, C]
  types?: Tensor; // [typeV, C]
  norm?: Norm; // post-LN models normalize the sum
  /** Gradients; undefined when frozen. */
  dTokens?: Tensor;
  dPositions?: Tensor;
  dTypes?: Tensor;
}

export interface EmbeddingInputs {
  ids: Tensor; // [N] u32
  types?: Tensor; // [N] u32 segment ids
}

export interface EmbeddingActs {
  sum: Tensor; // [N, C] wte[ids] + wpe[t] (+ wtt[types])
  norm?: NormActs; // LN(sum)
  dropped?: Tensor; // [N, C] dropout(LN(sum) or sum), training only
}

export interface EmbeddingGrads {
  dDropped?: Tensor; // [N, C] the gradient before dropout
  dSum?: Tensor; // [N, C] the gradient before the layernorm
}

export interface EmbeddingDims {
  B: number;
  T: number;
  C: number;
  V: number;
  typeV: number; // 0 without token types
  eps: number;
}

export function planEmbeddings(p: Plans, prefix: string, d: EmbeddingDims, opts: { norm: boolean; dropout: boolean }): { acts: Names<EmbeddingActs>; grads: Names<EmbeddingGrads> } {
  const N = d.B * d.T;
  return {
    acts: {
      sum: p.a.add(`${prefix}.sum`, [N, d.C]),
      norm: opts.norm ? planNorm(p.a, `${prefix}.norm`, N, d.C) : undefined,
      dropped: opts.dropout ? p.a.add(`${prefix}.dropped`, [N, d.C]) : undefined,
    },
    grads: {
      dDropped: opts.dropout ? p.d.add(`${prefix}.dDropped`, [N, d.C]) : undefined,
      dSum: opts.norm ? p.d.add(`${prefix}.dSum`, [N, d.C]) : undefined,
    },
  };
}

/** Whether any embedding tensor trains (if none does, and no layer below the first trainable one, backward stops there). */
export function embeddingsTrain(p: EmbeddingParams): boolean {
  return Boolean(p.dTokens || p.dPositions || p.dTypes || p.norm?.dg);
}

/** Returns the embeddings' output [N, C]: the first layer's input. `drop` only in a training forward. */
export function embeddingsForward(rec: Recorder, a: EmbeddingActs, p: EmbeddingParams, x: EmbeddingInputs, d: EmbeddingDims, drop?: DropoutSpec): Tensor {
  const { B, T, C, V } = d;
  const N = B * T;
  embeddingForward(rec, a.sum, x.ids, p.tokens, { N, C, V }); // sum = wte[ids]
  positionEmbeddingForward(rec, a.sum, p.positions, { B, T, C, accumulate: true }); // += wpe[0..T)
  if (p.types && x.types) embeddingForward(rec, a.sum, x.types, p.types, { N, C, V: d.typeV, accumulate: true }); // += wtt[types]
  let out = a.sum;
  if (p.norm && a.norm) {
    normForward(rec, a.norm, p.norm, a.sum, { N, C, eps: d.eps });
    out = a.norm.out;
  }
  if (drop && a.dropped) {
    dropoutForward(rec, a.dropped, out, drop);
    out = a.dropped;
  }
  return out;
}

/** Parameter gradients from dOut [N, C] (the gradient of the output); `lnScratch`/`embScratch` are shared scratch. */
export function embeddingsBackward(
  rec: Recorder,
  g: EmbeddingGrads,
  dOut: Tensor,
  a: EmbeddingActs,
  p: EmbeddingParams,
  x: EmbeddingInputs,
  d: EmbeddingDims,
  scratch: { ln: Tensor; emb: Tensor },
  drop?: DropoutSpec,
): void {
  const { B, T, C, V } = d;
  const N = B * T;
  let grad = dOut;
  if (drop && g.dDropped) {
    fill(rec, g.dDropped);
    dropoutBackward(rec, g.dDropped, grad, drop);
    grad = g.dDropped;
  }
  if (p.norm && a.norm && g.dSum) {
    fill(rec, g.dSum);
    normBackward(rec, g.dSum, grad, a.norm, p.norm, a.sum, { N, C, eps: d.eps }, scratch.ln);
    grad = g.dSum;
  }
  if (p.dTokens) embeddingBackward(rec, p.dTokens, grad, x.ids, { N, C, V }, scratch.emb);
  if (p.dPositions) positionEmbeddingBackward(rec, p.dPositions, grad, { B, T, C });
  if (p.dTypes && x.types) embeddingBackward(rec, p.dTypes, grad, x.types, { N, C, V: d.typeV }, scratch.emb);
}
