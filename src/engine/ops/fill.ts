// Fill a tensor (or a whole arena view) with a constant: how gradient buffers are zeroed, since
// every backward op accumulates. Split into several dispatches past one storage binding.
import fillWgsl from '../../shaders/fill.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { bindingChunks, elementwiseGrid, elementwiseLanes, f32, kernelFor, packParams, subBinding } from './util';

export function fill(rec: Recorder, out: Tensor /* [n] any shape */, value = 0): void {
  const { lanes, header } = elementwiseLanes(out.numel);
  const k = kernelFor(rec, `fill.x${lanes}`, header + fillWgsl, ['write']);
  for (const { start, count } of bindingChunks(rec, 'fill', out.numel, 4)) {
    const { groups, stride } = elementwiseGrid(rec, count / lanes);
    k.record(rec, [subBinding(out, start * 4, count * 4)], groups, packParams([count / lanes, f32(value), stride]));
  }
}
