// Global L2 norm of one flat gradient buffer and the clip factor AdamW applies, in two passes with
// fixed-order sums (deterministic). out[0] = ||g||, out[1] = min(1, maxNorm / (||g|| + 1e-6))
// (1 when maxNorm <= 0), as torch.nn.utils.clip_grad_norm_. Read out[0] late for the metric.
import gradnormWgsl from '../../shaders/gradnorm.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { expectNumel, f32, groupsFor, kernelFor, ownedScratch, packParams } from '../ops/util';

const PER_GROUP = 4096; // elements per workgroup (matches gradnorm.wgsl)

export function gradNormScratchWords(n: number): number {
  return Math.ceil(n / PER_GROUP);
}

export function gradNormForward(
  rec: Recorder,
  out: Tensor, // [2] f32: norm, clip factor
  grads: Tensor, // [n] flat gradients
  maxNorm: number, // clip threshold; <= 0 disables clipping (factor 1)
  scratch?: Tensor, // [gradNormScratchWords(n)] f32; owned by rec if omitted
): void {
  expectNumel('gradNorm', 'out', out, 2);
  const n = grads.numel;
  const groups = gradNormScratchWords(n);
  if (scratch && scratch.numel < groups) throw new Error(`gradNorm: scratch has ${scratch.numel} words, needs ${groups}`);
  const partial = scratch ?? ownedScratch(rec, 'gradnorm.partial', groups);
  const buffers = [grads, partial, out];
  const params = packParams([n, groups, f32(maxNorm)]);
  kernelFor(rec, 'gradnorm.partials', gradnormWgsl, ['read', 'write', 'write'], 'partials').record(rec, buffers, groupsFor(rec, n, PER_GROUP), params);
  kernelFor(rec, 'gradnorm.finish', gradnormWgsl, ['read', 'write', 'write'], 'finish').record(rec, buffers, [1], params);
}
