// Fill a tensor (or a whole arena view) with a constant: how gradient buffers are zeroed, since
// every backward op accumulates.
import fillWgsl from '../../shaders/fill.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { f32, groupsFor, kernelFor, packParams } from './util';

export function fill(rec: Recorder, out: Tensor /* [n] any shape */, value = 0): void {
  const n = out.numel;
  kernelFor(rec, 'fill', fillWgsl, ['write']).record(rec, [out], groupsFor(rec, n, 256), packParams([n, f32(value)]));
}
