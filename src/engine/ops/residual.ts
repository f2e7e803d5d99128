// Residual add: out = a + b; backward ACCUMULATES dOut into both da and db.
import forwardWgsl from '../../shaders/residual_forward.wgsl?raw';
import backwardWgsl from '../../shaders/residual_backward.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { expectNumel, groupsFor, kernelFor, packParams } from './util';

export function residualForward(
  rec: Recorder,
  out: Tensor, // [n] (any shape, flat)
  a: Tensor, // [n]
  b: Tensor, // [n]
): void {
  const n = out.numel;
  expectNumel('residualForward', 'a', a, n);
  expectNumel('residualForward', 'b', b, n);
  kernelFor(rec, 'residual.forward', forwardWgsl, ['read', 'read', 'write']).record(rec, [a, b, out], groupsFor(rec, n, 256), packParams([n]));
}

export function residualBackward(
  rec: Recorder,
  da: Tensor, // [n] accumulated
  db: Tensor, // [n] accumulated (must not overlap da)
  dOut: Tensor, // [n]
): void {
  const n = dOut.numel;
  expectNumel('residualBackward', 'da', da, n);
  expectNumel('residualBackward', 'db', db, n);
  kernelFor(rec, 'residual.backward', backwardWgsl, ['read', 'write', 'write']).record(rec, [dOut, da, db], groupsFor(rec, n, 256), packParams([n]));
}
