// tanh (BERT's pooler). Forward overwrites y; backward ACCUMULATES into dx, from the forward output.
import tanhWgsl from '../../shaders/tanh.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { bindingChunks, elementwiseGrid, expectNumel, kernelFor, packParams, subBinding } from './util';

function record(rec: Recorder, op: string, entry: 'forward' | 'backward', a: Tensor, dy: Tensor, out: Tensor) {
  const k = kernelFor(rec, `tanh.${entry}`, tanhWgsl, ['read', 'read', 'write'], entry);
  for (const { start, count } of bindingChunks(rec, op, out.numel, 4)) {
    const { groups, stride } = elementwiseGrid(rec, count);
    k.record(rec, [a, dy, out].map((t) => subBinding(t, start * 4, count * 4)), groups, packParams([count, stride]));
  }
}

/** y = tanh(x) */
export function tanhForward(rec: Recorder, y: Tensor /* [n] saved for backward */, x: Tensor /* [n] */): void {
  expectNumel('tanhForward', 'x', x, y.numel);
  record(rec, 'tanhForward', 'forward', x, x, y);
}

/** dx += dy * (1 - y^2), from the forward's output y. */
export function tanhBackward(rec: Recorder, dx: Tensor /* [n] accumulated */, dy: Tensor /* [n] */, y: Tensor /* [n] */): void {
  expectNumel('tanhBackward', 'dy', dy, dx.numel);
  expectNumel('tanhBackward', 'y', y, dx.numel);
  record(rec, 'tanhBackward', 'backward', y, dy, dx);
}
