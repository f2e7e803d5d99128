// GELU (tanh approximation, as GPT-2). Forward overwrites out; backward ACCUMULATES into dx.
import geluWgsl from '../../shaders/gelu.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { expectNumel, groupsFor, kernelFor, packParams } from './util';

export function geluForward(
  rec: Recorder,
  out: Tensor, // [n]
  x: Tensor, // [n] saved for backward
): void {
  const n = out.numel;
  expectNumel('geluForward', 'x', x, n);
  kernelFor(rec, 'gelu.forward', geluWgsl, ['read', 'read', 'write'], 'forward').record(rec, [x, x, out], groupsFor(rec, n, 256), packParams([n]));
}

export function geluBackward(
  rec: Recorder,
  dx: Tensor, // [n] accumulated
  dOut: Tensor, // [n]
  x: Tensor, // [n] the forward input
): void {
  const n = dx.numel;
  expectNumel('geluBackward', 'dOut', dOut, n);
  expectNumel('geluBackward', 'x', x, n);
  kernelFor(rec, 'gelu.backward', geluWgsl, ['read', 'read', 'write'], 'backward').record(rec, [x, dOut, dx], groupsFor(rec, n, 256), packParams([n]));
}
