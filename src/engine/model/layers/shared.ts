// The small tensors every layer of a graph shares: a row of ones (bias gradients are ones · dY),
// the zero shift and junk gradient of bias-free layernorms, and the scratch of the layernorm and
// embedding backward kernels (one each: layers run backward one at a time).
import type { Tensor } from '../../gpu/tensor';
import type { DropoutSpec } from '../../ops/dropout';
import { embeddingBackwardScratchWords } from '../../ops/embedding';
import { layernormBackwardScratchWords } from '../../ops/layernorm';
import type { StepState } from '../../ops/step-state';
import type { Arena } from '../arena';
import type { Names, Plans } from './plan';

export interface Shared {
  ones: Tensor; // [1, N]
  zeros: Tensor; // [C] the shift of a bias-free layernorm
  junk: Tensor; // [C] its gradient, discarded
  lnScratch: Tensor;
  embScratch: Tensor; // u32
}

/** N: the most rows any layer has; V: the largest table an embedding backward scatters into. */
export function planShared(p: Plans, prefix: string, N: number, C: number, V: number): Names<Shared> {
  return {
    ones: p.a.add(`${prefix}.ones`, [1, N]),
    zeros: p.a.add(`${prefix}.zeros`, [C]),
    junk: p.d.add(`${prefix}.junk`, [C]),
    lnScratch: p.d.add(`${prefix}.lnScratch`, [layernormBackwardScratchWords(N, C)]),
    embScratch: p.d.add(`${prefix}.embScratch`, [embeddingBackwardScratchWords(N, V)], 'u32'),
  };
}

/** The shared tensors, from both arenas. */
export function bindShared(a: Arena, d: Arena, n: Names<Shared>): Shared {
  return { ones: a.get(n.ones), zeros: a.get(n.zeros), junk: d.get(n.junk), lnScratch: d.get(n.lnScratch), embScratch: d.get(n.embScratch) };
}

/**
 * The dropout of `site` in layer `layer` (-1: the embeddings): its own RNG stream, so backward
 * redraws the forward's mask. Undefined without dropout or without a StepState (inference).
 */
export function dropoutAt(p: number, state: StepState | undefined, layer: number, site: number): DropoutSpec | undefined {
  return p > 0 && state ? { p, stream: (layer + 1) * 8 + site, state } : undefined;
}
