// A LoRA adapter's forward/backward pair on top of its (frozen) linear, with two small matmuls each
// way. With s = alpha / r, A [r, in], B [w, r], and y[:, col:col+w] the adapter's slice of the
// linear's output (all of it, or BERT's query/key/value third of the fused q|k|v):
//   forward   t = x Aᵀ              [N, r]   (scratch)
//             u = s · t             [N, r]   (kept for backward)
//             y[:, col:col+w] += u Bᵀ
//   backward  dB += dy_sliceᵀ u     [w, r]
//             t  = dy_slice B       [N, r]
//             du = s · t            [N, r]
//             dA += duᵀ x           [r, in]
//             dx += du A            [N, in]
// The column slice is a strided matmul view (row stride = the linear's width), so nothing is copied.
// The scale op reads one buffer and writes another (WebGPU forbids binding one buffer as both), hence
// two scratch tensors; u is kept scaled so dB needs no extra scaling.
import type { Recorder } from '../../gpu/kernel';
import type { Tensor } from '../../gpu/tensor';
import { matmul } from '../../ops/matmul';
import { scaleForward } from '../../ops/scale';
import type { Arena } from '../arena';
import { type LoraLinear, loraNames, loraScale, loraSites, type LoraSite } from '../lora';
import type { ParamLayout } from '../params';
import type { Linear, ParamViews } from '../views';
import type { Plans } from './plan';
import type { LayerParams } from './transformer-layer';

export interface LoraAdapter {
  a: Tensor; // [r, in]
  b: Tensor; // [w, r]
  /** Their gradients (undefined: frozen, e.g. an inference-only graph still binds them). */
  da?: Tensor;
  db?: Tensor;
  scale: number; // alpha / r
  col: number; // first output column of the adapter's slice
  width: number; // w
  u: Tensor; // [N, r] activation: s · x Aᵀ
  /** Two [N, r] scratch tensors shared by every adapter of the graph (adapters run one at a time). */
  t: Tensor;
  t2: Tensor;
}

/** y [N, out] += s · (x Aᵀ) Bᵀ into the adapter's columns. */
export function loraForward(rec: Recorder, y: Tensor, x: Tensor, ad: LoraAdapter, label: string): void {
  const [N, out] = [y.shape[0], y.shape[1]];
  const r = ad.a.shape[0];
  matmul(rec, { out: ad.t, a: x, b: ad.a, transB: true, label: `${label}.lora_a` }); // t [N, r]
  scaleForward(rec, ad.u, ad.t, ad.scale); // u [N, r]
  matmul(rec, {
    out: y, a: ad.u, b: ad.b, transB: true, accumulate: true, label: `${label}.lora_b`,
    layout: { m: N, n: ad.width, k: r, a: { ld: r }, b: { ld: r }, out: { offset: ad.col, ld: out } },
  });
}

/** dA, dB accumulated; dx [N, in] += the adapter's share of the input gradient (dx must already hold the base linear's). */
export function loraBackward(rec: Recorder, dx: Tensor | undefined, dy: Tensor, x: Tensor, ad: LoraAdapter, label: string): void {
  const [N, out] = [dy.shape[0], dy.shape[1]];
  const r = ad.a.shape[0];
  if (ad.db) {
    matmul(rec, {
      out: ad.db, a: dy, b: ad.u, transA: true, accumulate: true, label: `${label}.lora_b.dw`,
      layout: { m: ad.width, n: r, k: N, a: { offset: ad.col, ld: out }, b: { ld: r }, out: { ld: r } },
    }); // dB [w, r]
  }
  if (!ad.da && !dx) return;
  matmul(rec, {
    out: ad.t, a: dy, b: ad.b, label: `${label}.lora_b.dx`,
    layout: { m: N, n: r, k: ad.width, a: { offset: ad.col, ld: out }, b: { ld: r }, out: { ld: r } },
  }); // t [N, r]
  scaleForward(rec, ad.t2, ad.t, ad.scale); // du [N, r]
  if (ad.da) matmul(rec, { out: ad.da, a: ad.t2, b: x, transA: true, accumulate: true, label: `${label}.lora_a.dw` }); // dA [r, in]
  if (dx) matmul(rec, { out: dx, a: ad.t2, b: ad.a, accumulate: true, label: `${label}.lora_a.dx` }); // dx [N, in]
}

/** `linear` with the adapters of `sites` (those on this linear) attached: matrices and gradients from the views. */
function withLora(linear: Linear, sites: readonly { site: LoraSite; u: string }[], v: ParamViews, acts: Arena, scratch: { t: Tensor; t2: Tensor }, scale: number): Linear {
  if (sites.length === 0) return linear;
  const lora = sites.map(({ site, u }): LoraAdapter => {
    const n = loraNames(site);
    return { a: v.param(n.a), b: v.param(n.b), da: v.grad(n.a), db: v.grad(n.b), scale, col: site.col, width: site.out, u: acts.get(u), ...scratch };
  });
  return { p: { ...linear.p, lora }, d: linear.d };
}

/** Where a graph's adapters live: per layer, each site with its activation's name; the shared scratch. */
export interface LoraPlan {
  scale: number;
  layers: { site: LoraSite; u: string }[][];
  scratch: { t: string; t2: string };
}

/** Plans the adapters of `layout` (undefined without LoRA): u [N, r] per adapter, two [N, r] scratch tensors. */
export function planLora(p: Plans, layout: ParamLayout, N: number, prefix: (l: number) => string): LoraPlan | undefined {
  const spec = layout.lora;
  if (!spec) return undefined;
  const r = spec.rank;
  const layers = Array.from({ length: layout.config.nLayer }, () => [] as { site: LoraSite; u: string }[]);
  loraSites(layout.config, spec).forEach((site, i) => {
    layers[site.layer].push({ site, u: p.a.add(`${prefix(site.layer)}.lora${i}.u`, [N, r]) });
  });
  return { scale: loraScale(spec), layers, scratch: { t: p.d.add('lora.t', [N, r]), t2: p.d.add('lora.t2', [N, r]) } };
}

/** Layer `l`'s parameters with its adapters attached to their linears (unchanged without a plan). */
export function attachLora(params: LayerParams, plan: LoraPlan | undefined, l: number, v: ParamViews, acts: Arena, dacts: Arena): LayerParams {
  if (!plan) return params;
  const scratch = { t: dacts.get(plan.scratch.t), t2: dacts.get(plan.scratch.t2) };
  const on = (linear: LoraLinear) => withLora(params[linear], plan.layers[l].filter((x) => x.site.linear === linear), v, acts, scratch, plan.scale);
  return { ...params, qkv: on('qkv'), attnOut: on('attnOut'), fc: on('fc'), fcOut: on('fcOut') };
}
