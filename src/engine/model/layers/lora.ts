// A LoRA adapter's forward/backward pair on top of its (frozen) linear, with two small matmuls each
// way. With s = alpha / r, A [r, in], B [w, r], y[:, col:col+w] the adapter's slice of the
// linear's output (all of it, or BERT's query/key/value third of the fused q|k|v), and x̃ = x, or
// in training with lora_dropout p > 0, dropout(x) (PEFT drops the adapter's input only):
//   forward   x̃ = drop(x)            [N, in]  (scratch; its mask is redrawn in backward)
//             t = x̃ Aᵀ              [N, r]   (scratch)
//             u = s · t             [N, r]   (kept for backward)
//             y[:, col:col+w] += u Bᵀ
//   backward  dB += dy_sliceᵀ u     [w, r]
//             t  = dy_slice B       [N, r]
//             du = s · t            [N, r]
//             dA += duᵀ x̃           [r, in]  (x̃ recomputed from the same mask)
//             dx += drop'(du A)     [N, in]  (the mask and 1 / (1 - p) again; without dropout du A itself)
// Each adapter draws its own mask (PEFT gives every adapted module its own nn.Dropout): adapter i
// of the layout (loraSites order) uses RNG stream LORA_DROPOUT_STREAM + i.
// The column slice is a strided matmul view (row stride = the linear's width), so nothing is copied.
// The scale op reads one buffer and writes another (WebGPU forbids binding one buffer as both), hence
// two scratch tensors; u is kept scaled so dB needs no extra scaling.
import type { Recorder } from '../../gpu/kernel';
import type { Tensor } from '../../gpu/tensor';
import { type DropoutSpec, dropoutBackward, dropoutForward } from '../../ops/dropout';
import { matmul } from '../../ops/matmul';
import { scaleForward } from '../../ops/scale';
import type { StepState } from '../../ops/step-state';
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
  /** Two [maxN, r] scratch tensors shared by every adapter of the graph (adapters run one at a time; viewed as [N, r]). */
  t: Tensor;
  t2: Tensor;
  /** lora_dropout in training: the mask's spec and two [N, in] scratch tensors (x̃, and du A before the mask). */
  dropout?: { spec: DropoutSpec; xd: Tensor; gx: Tensor };
}

/** The RNG streams of adapter dropout: above every layer's (layer + 1) * 8 + site. */
export const LORA_DROPOUT_STREAM = 1 << 20;

/** x̃: x, or its dropped copy (in the adapter's scratch) when the adapter drops in training. */
function adapterInput(rec: Recorder, x: Tensor, ad: LoraAdapter, train: boolean): Tensor {
  const d = ad.dropout;
  if (!train || !d) return x;
  const xd = d.xd.view(x.shape, 0);
  dropoutForward(rec, xd, x, d.spec);
  return xd;
}

/** y [N, out] += s · (x̃ Aᵀ) Bᵀ into the adapter's columns; `train` applies the adapter's dropout. */
export function loraForward(rec: Recorder, y: Tensor, x: Tensor, ad: LoraAdapter, label: string, train: boolean): void {
  const [N, out] = [y.shape[0], y.shape[1]];
  const r = ad.a.shape[0];
  const t = ad.t.view([N, r], 0);
  matmul(rec, { out: t, a: adapterInput(rec, x, ad, train), b: ad.a, transB: true, label: `${label}.lora_a` }); // t [N, r]
  scaleForward(rec, ad.u, t, ad.scale); // u [N, r]
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
  const [t, du] = [ad.t.view([N, r], 0), ad.t2.view([N, r], 0)];
  matmul(rec, {
    out: t, a: dy, b: ad.b, label: `${label}.lora_b.dx`,
    layout: { m: N, n: r, k: ad.width, a: { offset: ad.col, ld: out }, b: { ld: r }, out: { ld: r } },
  }); // t [N, r]
  scaleForward(rec, du, t, ad.scale); // du [N, r]
  if (ad.da) matmul(rec, { out: ad.da, a: du, b: adapterInput(rec, x, ad, true), transA: true, accumulate: true, label: `${label}.lora_a.dw` }); // dA [r, in]
  if (!dx) return;
  const d = ad.dropout;
  if (!d) {
    matmul(rec, { out: dx, a: du, b: ad.a, accumulate: true, label: `${label}.lora_a.dx` }); // dx [N, in]
    return;
  }
  const gx = d.gx.view(dx.shape, 0);
  matmul(rec, { out: gx, a: du, b: ad.a, label: `${label}.lora_a.dx` }); // gx [N, in] = du A
  dropoutBackward(rec, dx, gx, d.spec); // dx += mask · gx / (1 - p)
}

/** One planned adapter: its site, its index in the layout (its dropout stream) and its activation's name. */
interface PlannedSite {
  site: LoraSite;
  index: number;
  u: string;
}

/** `linear` with the adapters of `sites` (those on this linear) attached: matrices and gradients from the views. */
function withLora(linear: Linear, sites: readonly PlannedSite[], v: ParamViews, acts: Arena, scratch: { t: Tensor; t2: Tensor }, plan: LoraPlan, dacts: Arena): Linear {
  if (sites.length === 0) return linear;
  const drop = plan.dropout;
  const lora = sites.map(({ site, index, u }): LoraAdapter => {
    const n = loraNames(site);
    const dropout = drop && { spec: { p: drop.p, stream: LORA_DROPOUT_STREAM + index, state: drop.state }, xd: dacts.get(drop.xd), gx: dacts.get(drop.gx) };
    return { a: v.param(n.a), b: v.param(n.b), da: v.grad(n.a), db: v.grad(n.b), scale: plan.scale, col: site.col, width: site.out, u: acts.get(u), ...scratch, ...(dropout ? { dropout } : {}) };
  });
  return { p: { ...linear.p, lora }, d: linear.d };
}

/** Where a graph's adapters live: per stack and layer, each site with its activation's name; the shared scratch. */
export interface LoraPlan {
  scale: number;
  stacks: Map<LoraSite['stack'], PlannedSite[][]>;
  scratch: { t: string; t2: string };
  /** lora_dropout > 0 in a graph that trains (has a StepState): p, the state, two [maxN, widest input] scratch tensors. */
  dropout?: { p: number; state: StepState; xd: string; gx: string };
}

/**
 * Plans the adapters of `layout` (undefined without LoRA): u [N, r] per adapter (N = rows(site):
 * the rows its linear sees; BART's cross-attention k|v reads the encoder's), two [maxN, r] scratch
 * tensors, and with dropout (and a StepState to draw its masks from) two [maxN, widest input] more.
 * `prefix` names a site's activations (its layer's prefix).
 */
export function planLora(p: Plans, layout: ParamLayout, rows: (site: LoraSite) => number, prefix: (site: LoraSite) => string, state?: StepState): LoraPlan | undefined {
  const spec = layout.lora;
  if (!spec) return undefined;
  const r = spec.rank;
  const sites = loraSites(layout.config, spec);
  const stacks = new Map<LoraSite['stack'], PlannedSite[][]>();
  sites.forEach((site, index) => {
    let layers = stacks.get(site.stack);
    if (!layers) stacks.set(site.stack, (layers = Array.from({ length: layout.config.nLayer }, () => [])));
    layers[site.layer].push({ site, index, u: p.a.add(`${prefix(site)}.lora${index}.u`, [rows(site), r]) });
  });
  const N = Math.max(...sites.map(rows));
  const widest = Math.max(...sites.map((s) => s.in));
  const dropout = spec.dropout > 0 && state ? { p: spec.dropout, state, xd: p.d.add('lora.xd', [N, widest]), gx: p.d.add('lora.gx', [N, widest]) } : undefined;
  return { scale: loraScale(spec), stacks, scratch: { t: p.d.add('lora.t', [N, r]), t2: p.d.add('lora.t2', [N, r]) }, ...(dropout ? { dropout } : {}) };
}

/** Layer `l` of `stack` with its adapters attached to their linears (unchanged without a plan). */
export function attachLora(params: LayerParams, plan: LoraPlan | undefined, stack: LoraSite['stack'], l: number, v: ParamViews, acts: Arena, dacts: Arena): LayerParams {
  if (!plan) return params;
  const scratch = { t: dacts.get(plan.scratch.t), t2: dacts.get(plan.scratch.t2) };
  const here = plan.stacks.get(stack)?.[l] ?? [];
  const on = (linear: Linear, which: LoraLinear) => withLora(linear, here.filter((x) => x.site.linear === which), v, acts, scratch, plan, dacts);
  const c = params.cross;
  return {
    ...params, qkv: on(params.qkv, 'qkv'), attnOut: on(params.attnOut, 'attnOut'), fc: on(params.fc, 'fc'), fcOut: on(params.fcOut, 'fcOut'),
    ...(c ? { cross: { ...c, q: on(c.q, 'crossQ'), kv: on(c.kv, 'crossKv'), out: on(c.out, 'crossOut') } } : {}),
  };
}
