// Masked mean pooling over each row's real positions (a classifier's 'mean' pooling: ModernBERT's
// classifier_pooling "mean"). Forward overwrites the pooled rows; backward ACCUMULATES into dh.
// The lengths are the encoder's kvLen [B] (padding at each row's tail), so no mask is uploaded.
import meanPoolWgsl from '../../shaders/mean_pool.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { elementwiseGrid, expectNumel, kernelFor, packParams } from './util';

export interface MeanPoolDims {
  B: number;
  T: number;
  C: number;
}

function check(op: string, lens: Tensor, rows: Tensor, pooled: Tensor, d: MeanPoolDims): void {
  expectNumel(op, 'lengths', lens, d.B);
  expectNumel(op, 'hidden', rows, d.B * d.T * d.C);
  expectNumel(op, 'pooled', pooled, d.B * d.C);
  if (lens.dtype !== 'u32') throw new Error(`${op}: lengths must be u32, got ${lens.dtype}`);
}

/** pooled[b, :] = mean of hidden[b, t, :] over t < lengths[b]. */
export function meanPoolForward(rec: Recorder, pooled: Tensor /* [B, C] */, hidden: Tensor /* [B, T, C] */, lengths: Tensor /* [B] u32 */, d: MeanPoolDims): void {
  check('meanPoolForward', lengths, hidden, pooled, d);
  const k = kernelFor(rec, 'meanPool.forward', meanPoolWgsl, ['read', 'read', 'write'], 'forward');
  const { groups, stride } = elementwiseGrid(rec, d.B * d.C);
  k.record(rec, [lengths, hidden, pooled], groups, packParams([d.B, d.T, d.C, stride]));
}

/** dHidden[b, t, :] += dPooled[b, :] / lengths[b] for t < lengths[b] (the padding gets nothing). */
export function meanPoolBackward(rec: Recorder, dHidden: Tensor /* [B, T, C] accumulated */, dPooled: Tensor /* [B, C] */, lengths: Tensor /* [B] u32 */, d: MeanPoolDims): void {
  check('meanPoolBackward', lengths, dHidden, dPooled, d);
  const k = kernelFor(rec, 'meanPool.backward', meanPoolWgsl, ['read', 'read', 'write'], 'backward');
  const { groups, stride } = elementwiseGrid(rec, d.B * d.T * d.C);
  k.record(rec, [lengths, dPooled, dHidden], groups, packParams([d.B, d.T, d.C, stride]));
}
