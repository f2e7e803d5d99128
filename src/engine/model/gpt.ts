// GPT (decoder only, pre-LN, learned positions) as a recorded forward and backward over one batch
// shape (llm.c's gpt2_forward / gpt2_backward, nanoGPT's model.py):
//   x = drop(wte[idx] + wpe[t]);  x = block(x) for each layer;  h = ln_f(x);  heads(h)
// with the heads of the layout (default: the LM head, tied or untied). Parameter gradients
// accumulate into the flat gradient buffer, so micro-batches add up until the optimizer zeroes them.
import type { GpuContext } from '../gpu/device';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { fill } from '../ops/fill';
import type { StepState } from '../ops/step-state';
import { type Arena, ArenaPlan } from './arena';
import { ModelGraph } from './body';
import type { Head } from './heads/head';
import { planHeads } from './heads/index';
import { type EmbeddingActs, type EmbeddingDims, type EmbeddingGrads, type EmbeddingParams, embeddingsBackward, embeddingsForward, embeddingsTrain, planEmbeddings } from './layers/embeddings';
import { type NormActs, normBackward, normForward, planNorm } from './layers/norm';
import { attachLora, planLora } from './layers/lora';
import { bind, type Plans } from './layers/plan';
import { bindShared, planShared, type Shared } from './layers/shared';
import { type LayerActs, type LayerGrads, type LayerParams, type LayerShape, layerBackward, layerForward, planLayer, planLayerGrads } from './layers/transformer-layer';
import type { BatchShape } from './memory';
import type { ParamLayout } from './params';
import { type Norm, ParamViews } from './views';

/**
 * GPT-2's tensors of layer l by Hugging Face name prefix (Conv1D weights [in, out]): the one
 * spelling the training graph and the KV-cache decoder (generate/kv-decoder.ts) both bind.
 */
export function gptLayerTensors(l: number): Record<keyof Omit<LayerParams, 'cross'>, string> {
  const h = `transformer.h.${l}`;
  return { ln1: `${h}.ln_1`, qkv: `${h}.attn.c_attn`, attnOut: `${h}.attn.c_proj`, ln2: `${h}.ln_2`, fc: `${h}.mlp.c_fc`, fcOut: `${h}.mlp.c_proj` };
}

export class GptGraph extends ModelGraph {
  readonly acts: Arena;
  readonly dacts: Arena;
  /** Token ids [N] u32, uploaded each step. */
  readonly idx: Tensor;
  readonly heads: Head[];
  private readonly s: LayerShape;
  private readonly ed: EmbeddingDims;
  private readonly shared: Shared;
  private readonly emb: { a: EmbeddingActs; g: EmbeddingGrads; p: EmbeddingParams };
  private readonly layers: { a: LayerActs; p: LayerParams }[];
  private readonly g: LayerGrads;
  private readonly lnf: { a: NormActs; p: Norm; dHidden: Tensor };

  constructor(
    readonly ctx: GpuContext,
    layout: ParamLayout,
    readonly params: Tensor,
    readonly grads: Tensor,
    batch: BatchShape,
    /** Multiplies every loss gradient (1 / micro-batches for gradient accumulation). */
    readonly gradScale = 1,
    state?: StepState,
  ) {
    super('GptGraph', layout, state);
    const cfg = layout.config;
    if (cfg.kind !== 'decoder') throw new Error(`GptGraph: config kind is '${cfg.kind}', expected 'decoder'`);
    if (cfg.norm !== 'pre') throw new Error('GptGraph: only pre-LN decoders (GPT-2) are assembled');
    const { batchSize: B, seqLen: T } = batch;
    if (T > cfg.blockSize) throw new Error(`GptGraph: sequence length ${T} exceeds blockSize ${cfg.blockSize}`);
    const { nEmbd: C, vocabSize: V, nLayer: L, layerNormEps: eps } = cfg;
    const N = B * T;
    this.s = { B, T, C, H: cfg.nHead, F: cfg.ffWidth, eps, norm: 'pre', causal: true, gelu: cfg.activation };
    this.ed = { B, T, C, V, typeV: 0, eps };
    const drop = cfg.dropout > 0;
    const plans: Plans = { a: new ArenaPlan(`gpt.activations[${B}x${T}]`), d: new ArenaPlan(`gpt.activationGrads[${B}x${T}]`) };
    const idx = plans.a.add('idx', [N], 'u32');
    const shared = planShared(plans, 'shared', N, C, V);
    const emb = planEmbeddings(plans, 'emb', this.ed, { norm: false, dropout: drop });
    const layers = Array.from({ length: L }, (_, l) => planLayer(plans, `h${l}`, this.s, drop));
    const g = planLayerGrads(plans, 'h', this.s, drop);
    const lora = planLora(plans, layout, () => N, (site) => `h${site.layer}`, state);
    const lnf = planNorm(plans.a, 'ln_f', N, C);
    const dHidden = plans.d.add('ln_f.dout', [N, C]);
    const heads = planHeads({ plans, cfg, B, T, gradScale, tokensKey: 'transformer.wte.weight' }, layout.heads, 'targets');
    this.acts = plans.a.allocate(ctx);
    this.dacts = plans.d.allocate(ctx);

    this.shared = bindShared(this.acts, this.dacts, shared);
    const v = new ParamViews(layout, params, grads, { zeros: this.shared.zeros, junk: this.shared.junk });
    this.idx = this.acts.get(idx);
    this.emb = {
      a: bind(this.acts, emb.acts),
      g: bind(this.dacts, emb.grads),
      p: { tokens: v.param('transformer.wte.weight'), dTokens: v.grad('transformer.wte.weight'), positions: v.param('transformer.wpe.weight'), dPositions: v.grad('transformer.wpe.weight') },
    };
    this.layers = layers.map((names, l) => {
      const n = gptLayerTensors(l);
      const p: LayerParams = {
        ln1: v.norm(n.ln1), qkv: v.linear(n.qkv, 'in_out'), attnOut: v.linear(n.attnOut, 'in_out'),
        ln2: v.norm(n.ln2), fc: v.linear(n.fc, 'in_out'), fcOut: v.linear(n.fcOut, 'in_out'),
      };
      return { a: bind(this.acts, names), p: attachLora(p, lora, 'body', l, v, this.acts, this.dacts) };
    });
    this.g = bind(this.dacts, g);
    this.lnf = { a: bind(this.acts, lnf), p: v.norm('transformer.ln_f'), dHidden: this.dacts.get(dHidden) };
    this.heads = heads.map((build) => build(this.acts, this.dacts, v));
  }

  protected get bodyInputs(): Record<string, Tensor> {
    return { idx: this.idx };
  }

  /** Next-token targets [N] u32 of the LM head (targets >= V are ignored). */
  get targets(): Tensor {
    const t = this.inputs.targets;
    if (!t) throw new Error('GptGraph: this model has no LM head (no targets)');
    return t;
  }

  /** The final hidden states h = ln_f(x) [N, C] after a forward pass (contextual embeddings). */
  get hidden(): Tensor {
    return this.lnf.a.out;
  }

  /** Attention probabilities of layer `l` ([B, H, T, T]) after a forward pass: the inspection path. */
  probs(l: number): Tensor {
    return this.layers[l].a.probs;
  }

  /** Layer l's input: the embeddings' output (dropped in training) or the previous layer's residual. */
  private input(l: number, train: boolean): Tensor {
    if (l > 0) return this.layers[l - 1].a.res2;
    return train && this.drop(-1, 0) ? this.emb.a.dropped! : this.emb.a.sum;
  }

  /** Records the forward pass through the losses; `train` applies dropout (backward must follow one). */
  forward(rec: Recorder, train = true): void {
    this.checkTrain(train);
    const { s, layers } = this;
    const d = { N: s.B * s.T, C: s.C, eps: s.eps };
    fill(rec, this.shared.ones, 1);
    embeddingsForward(rec, this.emb.a, this.emb.p, { ids: this.idx }, this.ed, train ? this.drop(-1, 0) : undefined); // x [N, C]
    // The first LN1; every later layernorm is fused with the residual add before it.
    normForward(rec, layers[0].a.norm1, layers[0].p.ln1, this.input(0, train), d);
    layers.forEach((layer, l) => {
      const next = l + 1 < layers.length ? { norm: layers[l + 1].p.ln1, acts: layers[l + 1].a.norm1 } : { norm: this.lnf.p, acts: this.lnf.a };
      layerForward(rec, layer.a, layer.p, this.input(l, train), s, { label: `h${l}`, drop: train ? (site) => this.drop(l, site) : undefined, next });
    });
    for (const head of this.heads) head.forward(rec, this.lnf.a.out); // h = ln_f(x) [N, C]
  }

  /** Records the backward pass (after a training forward): parameter gradients accumulated. */
  backward(rec: Recorder): void {
    const { s, layers, g } = this;
    const d = { N: s.B * s.T, C: s.C, eps: s.eps };
    const L = layers.length;
    fill(rec, this.lnf.dHidden);
    for (const head of this.heads) head.backward(rec, this.lnf.a.out, this.lnf.dHidden); // dh [N, C]
    fill(rec, g.streamA);
    normBackward(rec, g.streamA, this.lnf.dHidden, this.lnf.a, this.lnf.p, layers[L - 1].a.res2, d, this.shared.lnScratch); // dx [N, C]
    let dx = g.streamA;
    const stop = ModelGraph.lowestTrainable(embeddingsTrain(this.emb.p), layers.map((x) => x.p));
    for (let l = L - 1; l >= Math.max(stop, 0); l--) {
      dx = layerBackward(rec, g, dx, layers[l].a, layers[l].p, this.input(l, true), s, this.shared, { label: `h${l}`, drop: (site) => this.drop(l, site) });
    }
    if (stop < 0) embeddingsBackward(rec, this.emb.g, dx, this.emb.a, this.emb.p, { ids: this.idx }, this.ed, { ln: this.shared.lnScratch, emb: this.shared.embScratch }, this.drop(-1, 0));
  }
}
