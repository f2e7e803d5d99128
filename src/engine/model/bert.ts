// BERT (encoder only, post-LN) as a recorded forward and backward over one batch shape:
//   x = drop(LN(wte[ids] + wpe[t] + wtt[types]));  x = layer(x) for each layer (bidirectional,
//   keys masked past each row's length);  heads(x)
// with the heads of the layout (default: MLM, plus pooler + NSP when the config has a pooler; the
// loss is the sum of their means, as BertForPreTraining). Parameter gradients accumulate.
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
import { attachLora, planLora } from './layers/lora';
import { bind, type Plans } from './layers/plan';
import { bindShared, planShared, type Shared } from './layers/shared';
import { type LayerActs, type LayerGrads, type LayerParams, type LayerShape, layerBackward, layerForward, planLayer, planLayerGrads } from './layers/transformer-layer';
import type { BatchShape } from './memory';
import type { ParamLayout } from './params';
import { ParamViews } from './views';

export class BertGraph extends ModelGraph {
  readonly acts: Arena;
  readonly dacts: Arena;
  /** Inputs uploaded each step: token and segment ids [N], real tokens per row [B] (the key mask). */
  readonly ids: Tensor;
  readonly types: Tensor;
  readonly kvLen: Tensor;
  readonly heads: Head[];
  private readonly s: LayerShape;
  private readonly ed: EmbeddingDims;
  private readonly shared: Shared;
  private readonly emb: { a: EmbeddingActs; g: EmbeddingGrads; p: EmbeddingParams };
  private readonly layers: { a: LayerActs; p: LayerParams }[];
  private readonly g: LayerGrads;

  constructor(
    readonly ctx: GpuContext,
    layout: ParamLayout,
    readonly params: Tensor,
    readonly grads: Tensor,
    batch: BatchShape,
    readonly gradScale = 1,
    state?: StepState,
  ) {
    super('BertGraph', layout, state);
    const cfg = layout.config;
    if (cfg.kind !== 'encoder') throw new Error(`BertGraph: config kind is '${cfg.kind}', expected 'encoder'`);
    if (cfg.norm !== 'post') throw new Error('BertGraph: only post-LN encoders (BERT) are assembled');
    const { batchSize: B, seqLen: T } = batch;
    if (T > cfg.blockSize) throw new Error(`BertGraph: sequence length ${T} exceeds blockSize ${cfg.blockSize}`);
    const { nEmbd: C, vocabSize: V, nLayer: L, layerNormEps: eps, typeVocabSize } = cfg;
    const N = B * T;
    const drop = cfg.dropout > 0;
    const plans: Plans = { a: new ArenaPlan(`bert.activations[${B}x${T}]`), d: new ArenaPlan(`bert.activationGrads[${B}x${T}]`) };
    const inputs = { ids: plans.a.add('input_ids', [N], 'u32'), types: plans.a.add('token_type_ids', [N], 'u32'), kvLen: plans.a.add('kvLen', [B], 'u32') };
    this.ed = { B, T, C, V, typeV: typeVocabSize, eps };
    const shared = planShared(plans, 'shared', N, C, Math.max(V, typeVocabSize));
    const emb = planEmbeddings(plans, 'emb', this.ed, { norm: true, dropout: drop });
    const sNames = { B, T, C, H: cfg.nHead, F: cfg.ffWidth, eps, norm: 'post' as const, causal: false, gelu: cfg.activation };
    const layers = Array.from({ length: L }, (_, l) => planLayer(plans, `layer${l}`, sNames, drop));
    const g = planLayerGrads(plans, 'layer', sNames, drop);
    const lora = planLora(plans, layout, () => N, (site) => `layer${site.layer}`, state);
    const heads = planHeads({ plans, cfg, B, T, gradScale, tokensKey: 'bert.embeddings.word_embeddings.weight', lengths: inputs.kvLen }, layout.heads, 'labels');
    this.acts = plans.a.allocate(ctx);
    this.dacts = plans.d.allocate(ctx);

    this.ids = this.acts.get(inputs.ids);
    this.types = this.acts.get(inputs.types);
    this.kvLen = this.acts.get(inputs.kvLen);
    this.s = { ...sNames, kvLen: this.kvLen };
    this.shared = bindShared(this.acts, this.dacts, shared);
    const v = new ParamViews(layout, params, grads, { zeros: this.shared.zeros, junk: this.shared.junk });
    const e = 'bert.embeddings';
    const types = typeVocabSize > 0;
    this.emb = {
      a: bind(this.acts, emb.acts),
      g: bind(this.dacts, emb.grads),
      p: {
        tokens: v.param(`${e}.word_embeddings.weight`), dTokens: v.grad(`${e}.word_embeddings.weight`),
        positions: v.param(`${e}.position_embeddings.weight`), dPositions: v.grad(`${e}.position_embeddings.weight`),
        types: types ? v.param(`${e}.token_type_embeddings.weight`) : undefined, dTypes: types ? v.grad(`${e}.token_type_embeddings.weight`) : undefined,
        norm: v.norm(`${e}.LayerNorm`),
      },
    };
    this.layers = layers.map((names, l) => {
      const h = `bert.encoder.layer.${l}`;
      const p: LayerParams = {
        qkv: v.linear(`${h}.attention.self.query_key_value`, 'out_in'),
        attnOut: v.linear(`${h}.attention.output.dense`, 'out_in'),
        ln1: v.norm(`${h}.attention.output.LayerNorm`),
        fc: v.linear(`${h}.intermediate.dense`, 'out_in'),
        fcOut: v.linear(`${h}.output.dense`, 'out_in'),
        ln2: v.norm(`${h}.output.LayerNorm`),
      };
      return { a: bind(this.acts, names), p: attachLora(p, lora, 'body', l, v, this.acts, this.dacts) };
    });
    this.g = bind(this.dacts, g);
    this.heads = heads.map((build) => build(this.acts, this.dacts, v));
  }

  protected get bodyInputs(): Record<string, Tensor> {
    return { input_ids: this.ids, token_type_ids: this.types, kvLen: this.kvLen };
  }

  /** A head's tensor by position, naming the layout's heads when it has no such head. */
  private head(i: number): Head {
    if (!this.heads[i]) throw new Error(`BertGraph: no head ${i} in this layout (heads: ${this.layout.heads.map((h) => h.kind).join(', ')})`);
    return this.heads[i];
  }

  /** The pretraining heads' labels ([N] and [B] u32; labels >= their vocabulary are ignored) and outputs. */
  get mlmLabels(): Tensor {
    return this.head(0).inputs.mlm_labels;
  }
  get nspLabels(): Tensor {
    return this.head(1).inputs.nsp_labels;
  }
  get mlmStats(): Tensor {
    return this.head(0).lossTerms[0];
  }
  get nspLogits(): Tensor {
    return this.head(1).logits;
  }
  get nspStats(): Tensor {
    return this.head(1).lossTerms[0];
  }

  /** Attention probabilities of layer `l` ([B, H, T, T]) after a forward pass: the inspection path. */
  probs(l: number): Tensor {
    return this.layers[l].a.probs;
  }

  /** Layer l's input: the embeddings' output (dropped in training) or the previous layer's output. */
  private input(l: number, train: boolean): Tensor {
    if (l > 0) return this.layers[l - 1].a.norm2.out;
    return train && this.drop(-1, 0) ? this.emb.a.dropped! : this.emb.a.norm!.out;
  }

  private get top(): Tensor {
    return this.layers[this.layers.length - 1].a.norm2.out;
  }

  /** The last layer's output [N, C] after a forward pass (contextual embeddings, the heads' input). */
  get hidden(): Tensor {
    return this.top;
  }

  /** Records the forward pass through the losses; `train` applies dropout (backward must follow one). */
  forward(rec: Recorder, train = true): void {
    this.checkTrain(train);
    fill(rec, this.shared.ones, 1);
    embeddingsForward(rec, this.emb.a, this.emb.p, { ids: this.ids, types: this.types }, this.ed, train ? this.drop(-1, 0) : undefined); // x [N, C]
    this.layers.forEach((layer, l) => {
      layerForward(rec, layer.a, layer.p, this.input(l, train), this.s, { label: `layer${l}`, drop: train ? (site) => this.drop(l, site) : undefined });
    });
    for (const head of this.heads) head.forward(rec, this.top); // x [N, C]
  }

  /** Records the backward pass (after a training forward): parameter gradients accumulated. */
  backward(rec: Recorder): void {
    const { g } = this;
    fill(rec, g.streamA);
    for (const head of this.heads) head.backward(rec, this.top, g.streamA); // dx [N, C]
    let dx = g.streamA;
    const stop = ModelGraph.lowestTrainable(embeddingsTrain(this.emb.p), this.layers.map((x) => x.p));
    for (let l = this.layers.length - 1; l >= Math.max(stop, 0); l--) {
      const { a, p } = this.layers[l];
      dx = layerBackward(rec, g, dx, a, p, this.input(l, true), this.s, this.shared, { label: `layer${l}`, drop: (site) => this.drop(l, site) });
    }
    const scratch = { ln: this.shared.lnScratch, emb: this.shared.embScratch };
    if (stop < 0) embeddingsBackward(rec, this.emb.g, dx, this.emb.a, this.emb.p, { ids: this.ids, types: this.types }, this.ed, scratch, this.drop(-1, 0));
  }
}
