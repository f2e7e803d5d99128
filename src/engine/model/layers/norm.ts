// Layernorm as a layer: y = (x - mean) * rstd * g + b, keeping mean and rstd for backward (llm.c's
// layernorm_forward / layernorm_backward). Used for the final norm of pre-LN models (ln_f), the
// embedding norm of post-LN ones, and inside every Transformer layer. `residualNormForward` fuses
// the residual add before it (one read of the stream instead of two).
import type { Recorder } from '../../gpu/kernel';
import type { Tensor } from '../../gpu/tensor';
import { layernormBackward, layernormForward, residualLayernormForward } from '../../ops/layernorm';
import type { ArenaPlan } from '../arena';
import type { Norm } from '../views';
import type { Names } from './plan';

export interface NormActs {
  out: Tensor; // [N, C]
  mean: Tensor; // [N]
  rstd: Tensor; // [N]
}

export interface NormDims {
  N: number;
  C: number;
  eps: number;
}

export function planNorm(a: ArenaPlan, prefix: string, N: number, C: number): Names<NormActs> {
  return { out: a.add(`${prefix}.out`, [N, C]), mean: a.add(`${prefix}.mean`, [N]), rstd: a.add(`${prefix}.rstd`, [N]) };
}

/** acts.out [N, C] = LN(x [N, C]). */
export function normForward(rec: Recorder, acts: NormActs, n: Norm, x: Tensor, d: NormDims): void {
  layernormForward(rec, acts.out, acts.mean, acts.rstd, x, n.g, n.b, d);
}

/** res [N, C] = x + branch; acts.out [N, C] = LN(res). */
export function residualNormForward(rec: Recorder, res: Tensor, acts: NormActs, n: Norm, x: Tensor, branch: Tensor, d: NormDims): void {
  residualLayernormForward(rec, res, acts.out, acts.mean, acts.rstd, x, branch, n.g, n.b, d);
}

/** dx [N, C] += LN'(x)ᵀ dOut; dg, db accumulated unless the norm is frozen. `x` is the forward input (res when fused). */
export function normBackward(rec: Recorder, dx: Tensor, dOut: Tensor, acts: NormActs, n: Norm, x: Tensor, d: NormDims, scratch: Tensor): void {
  layernormBackward(rec, dx, n.dg, n.db, dOut, x, n.g, acts.mean, acts.rstd, d, scratch);
}
