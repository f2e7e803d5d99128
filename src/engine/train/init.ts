// Initial weights, GPT-2 / nanoGPT style (_init_weights): every matrix and embedding ~ N(0, 0.02),
// the residual projections (attn.c_proj, mlp.c_proj) ~ N(0, 0.02 / sqrt(2 * nLayer)) so the
// residual stream's variance does not grow with depth, biases 0, layernorm gains 1. Drawn from a
// seeded generator per parameter name, so the same seed gives the same model on any machine.
import { mixSeed, mulberry32 } from '../data/rng';
import type { ParamLayout } from '../model/params';

const STD = 0.02;

/** A stable 32-bit number for a parameter name (FNV-1a), mixed into the seed. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function fillNormal(out: Float32Array, std: number, seed: number): void {
  const rng = mulberry32(seed);
  for (let i = 0; i < out.length; i += 2) {
    // Box-Muller: two independent normals per pair of uniforms (1 - u keeps log away from 0).
    const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const theta = 2 * Math.PI * rng.next();
    out[i] = std * r * Math.cos(theta);
    if (i + 1 < out.length) out[i + 1] = std * r * Math.sin(theta);
  }
}

/** The flat parameter buffer (layout order, padding zero) of a freshly initialized model. */
export function initParams(layout: ParamLayout, seed: number): Float32Array {
  const flat = new Float32Array(layout.totalFloats);
  const residualStd = STD / Math.sqrt(2 * layout.config.nLayer);
  for (const slab of layout.slabs) {
    for (const part of slab.parts) {
      const view = flat.subarray(part.offset, part.offset + part.numel);
      if (slab.role === 'norm') {
        if (part.name.endsWith('.weight')) view.fill(1);
      } else if (slab.role === 'weight' || slab.role === 'embedding') {
        const residual = /(attn\.c_proj|mlp\.c_proj)\.weight$/.test(part.name);
        fillNormal(view, residual ? residualStd : STD, mixSeed(seed, nameHash(part.name)));
      } else if (slab.role === 'adapter' && part.name.endsWith('.lora_A.weight')) {
        // PEFT's reset_lora_parameters: kaiming_uniform_(A, a=sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)).
        // B stays 0, so a fresh adapter leaves the model's outputs unchanged.
        const bound = 1 / Math.sqrt(part.shape[1]);
        const rng = mulberry32(mixSeed(seed, nameHash(part.name)));
        for (let i = 0; i < view.length; i++) view[i] = bound * (2 * rng.next() - 1);
      }
      // biases and LoRA's B stay 0
    }
  }
  return flat;
}
