// GELU, y = x Phi(x), in the two forms Hugging Face configs name: 'gelu_tanh' (GPT-2's tanh
// approximation) and 'gelu' (the exact erf form of BERT and BART). Forward overwrites out; backward
// ACCUMULATES into dx. Split into several dispatches when a tensor exceeds one storage binding.
import geluWgsl from '../../shaders/gelu.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { bindingChunks, elementwiseGrid, elementwiseLanes, expectNumel, kernelFor, packParams, subBinding } from './util';

/** Same names as ModelConfig.activation. */
export type GeluForm = 'gelu_tanh' | 'gelu';

function record(rec: Recorder, op: string, pass: 'forward' | 'backward', form: GeluForm, x: Tensor, dy: Tensor, out: Tensor) {
  if (form !== 'gelu_tanh' && form !== 'gelu') throw new Error(`${op}: unknown GELU form '${form}'`);
  const entry = form === 'gelu' ? `${pass}_erf` : pass;
  const { lanes, header } = elementwiseLanes(out.numel);
  const k = kernelFor(rec, `gelu.${entry}.x${lanes}`, header + geluWgsl, ['read', 'read', 'write'], entry);
  for (const { start, count } of bindingChunks(rec, op, out.numel, 4)) {
    const views = [x, dy, out].map((t) => subBinding(t, start * 4, count * 4));
    const { groups, stride } = elementwiseGrid(rec, count / lanes);
    k.record(rec, views, groups, packParams([count / lanes, stride]));
  }
}

export function geluForward(
  rec: Recorder,
  out: Tensor, // [n]
  x: Tensor, // [n] saved for backward
  form: GeluForm = 'gelu_tanh',
): void {
  expectNumel('geluForward', 'x', x, out.numel);
  record(rec, 'geluForward', 'forward', form, x, x, out);
}

export function geluBackward(
  rec: Recorder,
  dx: Tensor, // [n] accumulated
  dOut: Tensor, // [n]
  x: Tensor, // [n] the forward input
  form: GeluForm = 'gelu_tanh',
): void {
  expectNumel('geluBackward', 'dOut', dOut, dx.numel);
  expectNumel('geluBackward', 'x', x, dx.numel);
  record(rec, 'geluBackward', 'backward', form, x, dOut, dx);
}
