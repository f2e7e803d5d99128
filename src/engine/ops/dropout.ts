// Dropout from a counter-based RNG: the mask of element i depends only on (StepState seed, step,
// `stream`, i), so backward recomputes it and nothing is stored. Give every dropout site its own
// `stream` (e.g. layer * 8 + site). Forward overwrites out; backward ACCUMULATES into dx.
// `out` must not overlap `x` (WebGPU forbids aliasing a writable binding).
import dropoutWgsl from '../../shaders/dropout.wgsl?raw';
import rngWgsl from '../../shaders/rng.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { dropoutThreshold } from '../reference/dropout';
import type { StepState } from './step-state';
import { bindingChunks, elementwiseGrid, expectNumel, f32, kernelFor, packParams, subBinding } from './util';

export interface DropoutSpec {
  p: number; // drop probability in [0, 1)
  stream: number; // u32 identifying this dropout site
  state: StepState; // seed and step for this replay
}

function record(rec: Recorder, op: string, dst: Tensor, src: Tensor, spec: DropoutSpec, accumulate: boolean) {
  const n = dst.numel;
  expectNumel(op, 'input', src, n);
  if (!(spec.p >= 0 && spec.p < 1)) throw new Error(`${op}: p must be in [0, 1), got ${spec.p}`);
  const k = kernelFor(rec, 'dropout', rngWgsl + dropoutWgsl, ['read', 'write', 'read']);
  for (const { start, count } of bindingChunks(rec, op, n, 4)) {
    const { groups, stride } = elementwiseGrid(rec, count);
    const params = packParams([count, dropoutThreshold(spec.p), f32(1 / (1 - spec.p)), spec.stream >>> 0, accumulate ? 1 : 0, start, stride]);
    const buffers = [subBinding(src, start * 4, count * 4), subBinding(dst, start * 4, count * 4), spec.state.binding()];
    k.record(rec, buffers, groups, params);
  }
}

export function dropoutForward(rec: Recorder, out: Tensor /* [n] */, x: Tensor /* [n] */, spec: DropoutSpec): void {
  record(rec, 'dropoutForward', out, x, spec, false);
}

export function dropoutBackward(rec: Recorder, dx: Tensor /* [n] accumulated */, dOut: Tensor /* [n] */, spec: DropoutSpec): void {
  record(rec, 'dropoutBackward', dx, dOut, spec, true);
}
