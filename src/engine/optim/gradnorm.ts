// Global L2 norm of one flat gradient buffer and the clip factor AdamW applies, in two passes with
// fixed-order sums (deterministic). out[0] = ||g||, out[1] = min(1, maxNorm / (||g|| + 1e-6))
// (1 when maxNorm <= 0), as torch.nn.utils.clip_grad_norm_. Read out[0] late for the metric.
import gradnormWgsl from '../../shaders/gradnorm.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { bindingChunks, expectNumel, f32, groupsFor, kernelFor, ownedScratch, packParams, subBinding } from '../ops/util';

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
  const partialsKernel = kernelFor(rec, 'gradnorm.partials', gradnormWgsl, ['read', 'write', 'write'], 'partials');
  // Past one storage binding, chunks of whole workgroups (4096 elements) each fill their part of partial.
  for (const c of bindingChunks(rec, 'gradNorm', n, 4, PER_GROUP)) {
    const params = packParams([c.count, groups, f32(maxNorm), c.start / PER_GROUP]);
    partialsKernel.record(rec, [subBinding(grads, c.start * 4, c.count * 4), partial, out], groupsFor(rec, c.count, PER_GROUP), params);
  }
  const finish = kernelFor(rec, 'gradnorm.finish', gradnormWgsl, ['read', 'write', 'write'], 'finish');
  finish.record(rec, [subBinding(grads, 0, Math.min(n, PER_GROUP) * 4), partial, out], [1], packParams([n, groups, f32(maxNorm), 0]));
}
