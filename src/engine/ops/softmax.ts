// Row-wise softmax over the last dimension. Forward overwrites y; backward ACCUMULATES into dx.
import softmaxWgsl from '../../shaders/softmax.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { expectNumel, groupsFor, kernelFor, packParams, rowStrategy } from './util';

export function softmaxForward(
  rec: Recorder,
  y: Tensor, // [N, V] saved for backward
  x: Tensor, // [N, V]
  dims: { N: number; V: number },
): void {
  const { N, V } = dims;
  expectNumel('softmaxForward', 'y', y, N * V);
  expectNumel('softmaxForward', 'x', x, N * V);
  const perThread = rowStrategy(rec) === 'thread';
  const entry = perThread ? 'forward_per_thread' : 'forward';
  kernelFor(rec, `softmax.${entry}`, softmaxWgsl, ['read', 'read', 'write'], entry).record(rec, [x, x, y], groupsFor(rec, N, perThread ? 64 : 1), packParams([N, V]));
}

export function softmaxBackward(
  rec: Recorder,
  dx: Tensor, // [N, V] accumulated
  dy: Tensor, // [N, V]
  y: Tensor, // [N, V] from forward
  dims: { N: number; V: number },
): void {
  const { N, V } = dims;
  for (const [name, t] of [['dx', dx], ['dy', dy], ['y', y]] as const) expectNumel('softmaxBackward', name, t, N * V);
  const perThread = rowStrategy(rec) === 'thread';
  const entry = perThread ? 'backward_per_thread' : 'backward';
  kernelFor(rec, `softmax.${entry}`, softmaxWgsl, ['read', 'read', 'write'], entry).record(rec, [y, dy, dx], groupsFor(rec, N, perThread ? 64 : 1), packParams([N, V]));
}
