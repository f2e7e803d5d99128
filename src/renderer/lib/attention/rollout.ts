// Attention rollout (Abnar & Zuidema, "Quantifying Attention Flow in Transformers", 2020): how
// much each input token feeds each output position through all layers. Per layer: average the
// heads, add the identity for the residual stream, renormalize rows; then multiply layer by layer,
//   R = Â_L · Â_{L-1} · … · Â_1,
// so R[i][j] is the share of output position i that flows from input token j. The same product
// serves encoders and causal decoders (a lower-triangular map stays lower triangular).
import { checkLayer, type AttentionLayer, type AttentionMatrix } from './types.ts';

export type HeadFusion = 'mean' | 'max' | 'min';

export interface RolloutOptions {
  heads?: HeadFusion; // how heads are combined per layer; the paper uses 'mean'
  residual?: number; // weight of the identity added per layer before renormalizing; the paper uses 1
}

/** Rollout over `layers` (first layer first), all self attention of the same size. float64. */
export function rollout(layers: readonly AttentionLayer[], opts: RolloutOptions = {}): AttentionMatrix & { values: Float64Array } {
  if (layers.length === 0) throw new Error('rollout: needs at least one layer');
  const t = layers[0].tq;
  let result: Float64Array | null = null;
  for (let l = 0; l < layers.length; l++) {
    const layer = layers[l];
    checkLayer(layer, 'rollout');
    if (layer.tq !== t || layer.tk !== t) {
      throw new Error(`rollout: layer ${l} is [${layer.heads}, ${layer.tq}, ${layer.tk}], expected square ${t}x${t} self attention`);
    }
    const a = fuseHeads(layer, opts.heads ?? 'mean', opts.residual ?? 1);
    result = result === null ? a : matmul(a, result, t);
  }
  return { values: result ?? new Float64Array(0), rows: t, cols: t };
}

/** Â = rownorm(fuse(heads) + residual · I), [t, t] float64. */
function fuseHeads(layer: AttentionLayer, fusion: HeadFusion, residual: number): Float64Array {
  const { probs, heads, tq: t } = layer;
  const size = t * t;
  const a = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    let acc = fusion === 'mean' ? 0 : probs[k];
    for (let h = fusion === 'mean' ? 0 : 1; h < heads; h++) {
      const v = probs[h * size + k];
      acc = fusion === 'mean' ? acc + v : fusion === 'max' ? Math.max(acc, v) : Math.min(acc, v);
    }
    a[k] = fusion === 'mean' ? acc / heads : acc;
  }
  for (let i = 0; i < t; i++) {
    a[i * t + i] += residual;
    let sum = 0;
    for (let j = 0; j < t; j++) sum += a[i * t + j];
    for (let j = 0; j < t; j++) a[i * t + j] /= sum;
  }
  return a;
}

/** c = a · b for [t, t] row-major matrices. */
function matmul(a: Float64Array, b: Float64Array, t: number): Float64Array {
  const c = new Float64Array(t * t);
  for (let i = 0; i < t; i++) {
    for (let k = 0; k < t; k++) {
      const aik = a[i * t + k];
      if (aik === 0) continue;
      for (let j = 0; j < t; j++) c[i * t + j] += aik * b[k * t + j];
    }
  }
  return c;
}
