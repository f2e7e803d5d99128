// Fused AdamW over one flat parameter buffer (PyTorch's torch.optim.AdamW formula, decoupled weight
// decay, bias correction). Parameter groups are element ranges of the flat buffer, each with its
// own weight decay (0 for norms, biases, embeddings as configured) and its own multiple of the
// step's learning rate (layer-wise lr decay: a param group's lr in PyTorch); adjacent ranges with
// the same decay and multiple merge into one dispatch, so a layout that keeps decayed tensors
// together costs two.
// lr and step come from the per-replay StepState; the clip factor from gradNormForward's output,
// read on the GPU (no readback). Updates weights, m and v in place.
import adamwWgsl from '../../shaders/adamw.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import type { StepState } from '../ops/step-state';
import { bindingChunks, elementwiseGrid, elementwiseLanes, expectNumel, f32, kernelFor, packParams, subBinding } from '../ops/util';

export interface AdamWHyper {
  beta1: number; // 0.9
  beta2: number; // 0.95 (nanoGPT) / 0.999 (PyTorch default)
  eps: number; // 1e-8
}

/** Elements [offset, offset + count) of the flat buffers, decayed by weightDecay, at lrScale times the step's lr (1 when absent). */
export interface ParamRange {
  offset: number;
  count: number;
  weightDecay: number;
  lrScale?: number;
}

/** Sorts, validates (in bounds, no overlap, a finite lrScale >= 0) and merges adjacent ranges of equal decay and lrScale. */
export function mergeRanges(ranges: readonly ParamRange[], n: number): ParamRange[] {
  const sorted = [...ranges].filter((r) => r.count > 0).sort((a, b) => a.offset - b.offset);
  const out: ParamRange[] = [];
  for (const r of sorted) {
    if (!Number.isInteger(r.offset) || !Number.isInteger(r.count) || r.offset < 0 || r.offset + r.count > n) {
      throw new Error(`adamw: range [${r.offset}, ${r.offset + r.count}) outside the ${n} parameters`);
    }
    const lrScale = r.lrScale ?? 1;
    if (!(Number.isFinite(lrScale) && lrScale >= 0)) throw new Error(`adamw: range at ${r.offset} has lrScale ${lrScale}`);
    const last = out[out.length - 1];
    if (last && r.offset < last.offset + last.count) throw new Error(`adamw: range at ${r.offset} overlaps the range at ${last.offset}`);
    if (last && last.offset + last.count === r.offset && last.weightDecay === r.weightDecay && last.lrScale === lrScale) last.count += r.count;
    else out.push({ ...r, lrScale });
  }
  return out;
}

export function adamwStep(
  rec: Recorder,
  weights: Tensor, // [n] flat parameters, updated in place
  m: Tensor, // [n] first moment, updated in place (zero at start)
  v: Tensor, // [n] second moment, updated in place (zero at start)
  grads: Tensor, // [n] flat gradients (already averaged over micro-batches)
  state: StepState, // lr and 1-based step of this replay
  ranges: readonly ParamRange[], // which elements to update and their decay; elements outside stay put
  hyper: AdamWHyper,
  gradNorm?: Tensor, // [2] from gradNormForward: the clip factor out[1] scales the gradient
): void {
  const n = weights.numel;
  for (const [name, t] of [['m', m], ['v', v], ['grads', grads]] as const) expectNumel('adamw', name, t, n);
  if (gradNorm) expectNumel('adamw', 'gradNorm', gradNorm, 2);
  // Flat buffers of large models outgrow one storage binding: bind 256-byte-aligned chunks of
  // them and give each range its offset within the chunk.
  const chunks = bindingChunks(rec, 'adamw', n, 4);
  for (const r of mergeRanges(ranges, n)) {
    for (const c of chunks) {
      const begin = Math.max(r.offset, c.start);
      const end = Math.min(r.offset + r.count, c.start + c.count);
      if (end <= begin) continue;
      // vec4 lanes where the range and the chunk allow them (CPU drivers: ~2x fewer load instructions).
      const whole = (begin - c.start) % 4 === 0 && (end - begin) % 4 === 0 && c.count % 4 === 0;
      const { lanes, header } = elementwiseLanes(whole ? 4 : 1);
      const k = kernelFor(rec, `adamw.x${lanes}`, header + adamwWgsl, ['read', 'read', 'read', 'write', 'write', 'write']);
      const grid = elementwiseGrid(rec, (end - begin) / lanes);
      const [g, w, mm, vv] = [grads, weights, m, v].map((t) => subBinding(t, c.start * 4, c.count * 4));
      const params = packParams([
        (begin - c.start) / lanes, (end - begin) / lanes, f32(hyper.beta1), f32(hyper.beta2),
        f32(Math.log(hyper.beta1)), f32(Math.log(hyper.beta2)), f32(hyper.eps), f32(r.weightDecay),
        gradNorm ? 1 : 0, f32(1 - hyper.beta1), f32(1 - hyper.beta2), grid.stride, f32(r.lrScale ?? 1),
      ]);
      k.record(rec, [g, gradNorm ?? g, state.binding(), w, mm, vv], grid.groups, params);
    }
  }
}
