// Global L2 norm of one flat gradient buffer and the clip factor AdamW applies, in two passes with
// fixed-order sums (deterministic). out[0] = ||g||, out[1] = min(1, maxNorm / (||g|| + 1e-6))
// (1 when maxNorm <= 0), as torch.nn.utils.clip_grad_norm_. Read out[0] late for the metric.
import gradnormWgsl from '../../shaders/gradnorm.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { bindingChunks, expectNumel, f32, groupsFor, kernelFor, ownedScratch, packParams, subBinding } from '../ops/util';

// 256 threads per 4096 gradients (16 each, grid-stride); chunk boundaries past one storage binding
// fall on multiples of 4096, so the partial count is 256 * ceil(n / 4096) on every adapter.
const PER_GROUP = 4096;

function plan(rec: Recorder, n: number) {
  return bindingChunks(rec, 'gradNorm', n, 4, PER_GROUP).map((c) => ({
    ...c,
    groups: groupsFor(rec, c.count, PER_GROUP),
    stride: Math.ceil(c.count / PER_GROUP) * 256,
  }));
}

/** f32 words of scratch gradNormForward needs for n gradients. */
export function gradNormScratchWords(n: number): number {
  return Math.ceil(n / PER_GROUP) * 256;
}

export function gradNormForward(
  rec: Recorder,
  out: Tensor, // [2] f32: norm, clip factor
  grads: Tensor, // [n] flat gradients
  maxNorm: number, // clip threshold; <= 0 disables clipping (factor 1)
  scratch?: Tensor, // [gradNormScratchWords(rec, n)] f32; owned by rec if omitted
): void {
  expectNumel('gradNorm', 'out', out, 2);
  const n = grads.numel;
  const chunks = plan(rec, n);
  const partials = gradNormScratchWords(n);
  if (scratch && scratch.numel < partials) throw new Error(`gradNorm: scratch has ${scratch.numel} words, needs ${partials}`);
  const partial = scratch ?? ownedScratch(rec, 'gradnorm.partial', partials);
  const partialsKernel = kernelFor(rec, 'gradnorm.partials', gradnormWgsl, ['read', 'write', 'write'], 'partials');
  let base = 0;
  for (const c of chunks) {
    const params = packParams([c.count, partials, f32(maxNorm), base, c.stride]);
    partialsKernel.record(rec, [subBinding(grads, c.start * 4, c.count * 4), partial, out], c.groups, params);
    base += c.stride;
  }
  const finish = kernelFor(rec, 'gradnorm.finish', gradnormWgsl, ['read', 'write', 'write'], 'finish');
  finish.record(rec, [subBinding(grads, 0, Math.min(n, PER_GROUP) * 4), partial, out], [1], packParams([n, partials, f32(maxNorm), 0, 0]));
}
