// Residual add: out = a + b; backward ACCUMULATES dOut into both da and db.
// Split into several dispatches when a tensor exceeds one storage binding.
import forwardWgsl from '../../shaders/residual_forward.wgsl?raw';
import backwardWgsl from '../../shaders/residual_backward.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { bindingChunks, elementwiseGrid, expectNumel, kernelFor, packParams, subBinding } from './util';

function record(rec: Recorder, op: string, label: string, code: string, storage: ('read' | 'write')[], tensors: Tensor[]) {
  const k = kernelFor(rec, label, code, storage);
  for (const { start, count } of bindingChunks(rec, op, tensors[0].numel, 4)) {
    const { groups, stride } = elementwiseGrid(rec, count);
    k.record(rec, tensors.map((t) => subBinding(t, start * 4, count * 4)), groups, packParams([count, stride]));
  }
}

export function residualForward(
  rec: Recorder,
  out: Tensor, // [n] (any shape, flat)
  a: Tensor, // [n]
  b: Tensor, // [n]
): void {
  expectNumel('residualForward', 'a', a, out.numel);
  expectNumel('residualForward', 'b', b, out.numel);
  record(rec, 'residualForward', 'residual.forward', forwardWgsl, ['read', 'read', 'write'], [a, b, out]);
}

export function residualBackward(
  rec: Recorder,
  da: Tensor, // [n] accumulated
  db: Tensor, // [n] accumulated (must not overlap da)
  dOut: Tensor, // [n]
): void {
  expectNumel('residualBackward', 'da', da, dOut.numel);
  expectNumel('residualBackward', 'db', db, dOut.numel);
  record(rec, 'residualBackward', 'residual.backward', backwardWgsl, ['read', 'write', 'write'], [dOut, da, db]);
}
