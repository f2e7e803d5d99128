// Encoder-decoder (BART: post-LN, learned positions, shared tied embeddings) as a recorded forward
// and backward over one batch shape:
//   e = drop(LN(Es[src] + Pe[t]));  e = layer(e) for each encoder layer (keys masked past kvLen)
//   y = drop(LN(Et[tgt] + Pd[t]));  y = layer(y, e) for each decoder layer (causal, cross over e)
//   heads(y)
// Es = Et = model.shared (BART), or with separate source and target vocabularies the encoder's and
// the decoder's own tables (params.ts tokenTables; the tied LM head reads Et).
// with the heads of the layout (default: the seq2seq LM head on the decoder, against `labels`), and
// LoRA adapters on the attention projections (self and cross) when the layout has them.
// Forward overwrites, backward accumulates parameter gradients into the flat gradient buffer.
import type { GpuContext } from '../gpu/device';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { fill } from '../ops/fill';
import { decoderVocabSize } from './config';
import type { StepState } from '../ops/step-state';
import { type Arena, ArenaPlan } from './arena';
import { ModelGraph } from './body';
import type { Head } from './heads/head';
import { planHeads } from './heads/index';
import { type EmbeddingActs, type EmbeddingDims, type EmbeddingGrads, type EmbeddingParams, embeddingsBackward, embeddingsForward, embeddingsTrain, planEmbeddings } from './layers/embeddings';
import { bind, type Plans } from './layers/plan';
import { attachLora, planLora } from './layers/lora';
import { bindShared, planShared, type Shared } from './layers/shared';
import { type EncoderLink, type LayerActs, type LayerGrads, type LayerParams, type LayerShape, layerBackward, layerForward, planLayer, planLayerGrads } from './layers/transformer-layer';
import type { BatchShape } from './memory';
import { type ParamLayout, tokenTables } from './params';
import { ParamViews } from './views';

export interface Seq2SeqShape extends BatchShape {
  /** Decoder length (default seqLen). */
  targetLen?: number;
}

/** One stack (encoder or decoder): its embeddings, layers, shape and backward scratch. */
interface Stack {
  ids: Tensor; // [B*T] u32
  ed: EmbeddingDims;
  s: LayerShape;
  emb: { a: EmbeddingActs; g: EmbeddingGrads; p: EmbeddingParams };
  layers: { a: LayerActs; p: LayerParams }[];
  g: LayerGrads;
  ones: Tensor; // [1, B*T]
  /** Dropout layer index of the embeddings; layer l is base + 1 + l. */
  base: number;
}

export class BartGraph extends ModelGraph {
  readonly acts: Arena;
  readonly dacts: Arena;
  readonly kvLen: Tensor;
  readonly heads: Head[];
  private readonly enc: Stack;
  private readonly dec: Stack;
  private readonly shared: Shared;

  constructor(
    readonly ctx: GpuContext,
    layout: ParamLayout,
    readonly params: Tensor,
    readonly grads: Tensor,
    batch: Seq2SeqShape,
    readonly gradScale = 1,
    state?: StepState,
  ) {
    super('BartGraph', layout, state);
    const cfg = layout.config;
    if (cfg.kind !== 'encoder-decoder') throw new Error(`BartGraph: config kind is '${cfg.kind}', expected 'encoder-decoder'`);
    if (cfg.norm !== 'post') throw new Error('BartGraph: only post-LN encoder-decoders (BART) are assembled');
    const B = batch.batchSize;
    const Ts = batch.seqLen;
    const Tt = batch.targetLen ?? batch.seqLen;
    if (Ts > cfg.blockSize || Tt > cfg.blockSize) throw new Error(`BartGraph: lengths ${Ts}/${Tt} exceed blockSize ${cfg.blockSize}`);
    const { nEmbd: C, nLayer: L, layerNormEps: eps } = cfg;
    const tables = tokenTables(cfg);
    const vocab = { encoder: cfg.vocabSize, decoder: decoderVocabSize(cfg) };
    const drop = cfg.dropout > 0;
    const plans: Plans = { a: new ArenaPlan(`bart.activations[${B}x${Ts}->${Tt}]`), d: new ArenaPlan(`bart.activationGrads[${B}x${Ts}->${Tt}]`) };
    const kvLen = plans.a.add('kvLen', [B], 'u32');
    const shared = planShared(plans, 'shared', Math.max(B * Ts, B * Tt), C, Math.max(vocab.encoder, vocab.decoder));
    const base = { C, H: cfg.nHead, F: cfg.ffWidth, eps, norm: 'post' as const, gelu: cfg.activation, B };
    const sides = [
      { side: 'encoder' as const, ids: 'input_ids', T: Ts, s: { ...base, T: Ts, causal: false } },
      { side: 'decoder' as const, ids: 'decoder_input_ids', T: Tt, s: { ...base, T: Tt, causal: true, cross: { Tk: Ts } } },
    ].map((x) => ({
      ...x,
      idsName: plans.a.add(x.ids, [B * x.T], 'u32'),
      ed: { B, T: x.T, C, V: vocab[x.side], typeV: 0, eps },
      emb: planEmbeddings(plans, `${x.side}.emb`, { B, T: x.T, C, V: vocab[x.side], typeV: 0, eps }, { norm: true, dropout: drop }),
      layers: Array.from({ length: L }, (_, l) => planLayer(plans, `${x.side}${l}`, x.s, drop)),
      g: planLayerGrads(plans, x.side, x.s, drop),
    }));
    // LoRA adapters see their linear's rows: the encoder's, or the decoder's (cross-attention's k|v reads the encoder's).
    const lora = planLora(plans, layout, (site) => B * (site.stack === 'encoder' || site.linear === 'crossKv' ? Ts : Tt), (site) => `${site.stack}${site.layer}`, state);
    const heads = planHeads({ plans, cfg, B, T: Tt, gradScale, tokensKey: tables.decoder }, layout.heads, 'labels');
    this.acts = plans.a.allocate(ctx);
    this.dacts = plans.d.allocate(ctx);

    this.kvLen = this.acts.get(kvLen);
    this.shared = bindShared(this.acts, this.dacts, shared);
    const v = new ParamViews(layout, params, grads, { zeros: this.shared.zeros, junk: this.shared.junk });
    const [enc, dec] = sides.map((x, i): Stack => {
      const m = `model.${x.side}`;
      const s: LayerShape = i === 0 ? { ...x.s, kvLen: this.kvLen } : { ...x.s, cross: { Tk: Ts, kvLen: this.kvLen } };
      return {
        ids: this.acts.get(x.idsName),
        ed: x.ed,
        s,
        emb: {
          a: bind(this.acts, x.emb.acts),
          g: bind(this.dacts, x.emb.grads),
          p: {
            tokens: v.param(tables[x.side]), dTokens: v.grad(tables[x.side]),
            positions: v.param(`${m}.embed_positions.weight`), dPositions: v.grad(`${m}.embed_positions.weight`),
            norm: v.norm(`${m}.layernorm_embedding`),
          },
        },
        layers: x.layers.map((names, l) => {
          const p = attachLora(bartLayerParams(v, x.side, l), lora, x.side, l, v, this.acts, this.dacts);
          return { a: bind(this.acts, names), p };
        }),
        g: bind(this.dacts, x.g),
        ones: this.shared.ones.view([1, B * x.T], 0), // the first B*T of the shared row of ones
        base: i === 0 ? -1 : L, // dropout streams: encoder embeddings -1, layers 0..L-1; decoder L, L+1..
      };
    });
    this.enc = enc;
    this.dec = dec;
    this.heads = heads.map((build) => build(this.acts, this.dacts, v));
  }

  protected get bodyInputs(): Record<string, Tensor> {
    return { input_ids: this.enc.ids, kvLen: this.kvLen, decoder_input_ids: this.dec.ids };
  }

  /** Attention probabilities after a forward pass: encoder self, decoder self, or decoder cross. */
  probs(kind: 'encoder' | 'decoder' | 'cross', l: number): Tensor {
    return kind === 'encoder' ? this.enc.layers[l].a.probs : kind === 'decoder' ? this.dec.layers[l].a.probs : this.dec.layers[l].a.cross!.probs;
  }

  /** Layer l's input: the stack's embeddings (dropped in training) or the previous layer's output. */
  private input(st: Stack, l: number, train: boolean): Tensor {
    if (l > 0) return st.layers[l - 1].a.norm2.out;
    return train && this.drop(st.base, 0) ? st.emb.a.dropped! : st.emb.a.norm!.out;
  }

  private top(st: Stack): Tensor {
    return st.layers[st.layers.length - 1].a.norm2.out;
  }

  /** The encoder's output [B*Ts, C] after a forward pass (what the decoder cross-attends to). */
  get encoderHidden(): Tensor {
    return this.top(this.enc);
  }

  private link(): EncoderLink {
    return { enc: this.top(this.enc), dEnc: this.enc.g.streamA, ones: this.enc.ones };
  }

  /** Records the forward pass through the losses; `train` applies dropout (backward must follow one). */
  forward(rec: Recorder, train = true): void {
    this.checkTrain(train);
    fill(rec, this.shared.ones, 1);
    for (const st of [this.enc, this.dec]) {
      embeddingsForward(rec, st.emb.a, st.emb.p, { ids: st.ids }, st.ed, train ? this.drop(st.base, 0) : undefined); // x [B*T, C]
      st.layers.forEach((layer, l) => {
        const drop = train ? (site: number) => this.drop(st.base + 1 + l, site) : undefined;
        const encoder = st === this.dec ? this.link() : undefined;
        layerForward(rec, layer.a, layer.p, this.input(st, l, train), st.s, { label: `${st === this.enc ? 'e' : 'd'}${l}`, drop, encoder });
      });
    }
    for (const head of this.heads) head.forward(rec, this.top(this.dec)); // y [Nt, C]
  }

  /** Records the backward pass (after a training forward): parameter gradients accumulated. */
  backward(rec: Recorder): void {
    const link = this.link();
    // The encoder output's gradient gathers every decoder layer's cross-attention k/v gradient.
    fill(rec, link.dEnc);
    fill(rec, this.dec.g.streamA);
    for (const head of this.heads) head.backward(rec, this.top(this.dec), this.dec.g.streamA); // dy [Nt, C]
    const scratch = { ln: this.shared.lnScratch, emb: this.shared.embScratch };
    const stops = new Map([this.enc, this.dec].map((st) => [st, ModelGraph.lowestTrainable(embeddingsTrain(st.emb.p), st.layers.map((x) => x.p))]));
    // A trainable encoder needs the encoder output's gradient, which every decoder layer adds to.
    if (stops.get(this.enc)! < this.enc.layers.length) stops.set(this.dec, Math.min(stops.get(this.dec)!, 0));
    for (const st of [this.dec, this.enc]) {
      let dx = st.g.streamA;
      const stop = stops.get(st)!;
      for (let l = st.layers.length - 1; l >= Math.max(stop, 0); l--) {
        const { a, p } = st.layers[l];
        const shared = { ones: st.ones, lnScratch: this.shared.lnScratch };
        const encoder = st === this.dec ? link : undefined;
        dx = layerBackward(rec, st.g, dx, a, p, this.input(st, l, true), st.s, shared, { label: `${st === this.enc ? 'e' : 'd'}${l}`, drop: (site) => this.drop(st.base + 1 + l, site), encoder });
      }
      if (stop < 0) embeddingsBackward(rec, st.emb.g, dx, st.emb.a, st.emb.p, { ids: st.ids }, st.ed, scratch, this.drop(st.base, 0));
    }
  }
}

/** Layer l of BART's encoder or decoder bound by its Hugging Face names (the KV-cache decoder binds the same). */
export function bartLayerParams(v: ParamViews, side: 'encoder' | 'decoder', l: number): LayerParams {
  const h = `model.${side}.layers.${l}`;
  return {
    qkv: v.linear(`${h}.self_attn.q_proj_k_proj_v_proj`, 'out_in'),
    attnOut: v.linear(`${h}.self_attn.out_proj`, 'out_in'),
    ln1: v.norm(`${h}.self_attn_layer_norm`),
    cross: side === 'encoder' ? undefined : {
      q: v.linear(`${h}.encoder_attn.q_proj`, 'out_in'),
      kv: v.linear(`${h}.encoder_attn.k_proj_v_proj`, 'out_in'),
      out: v.linear(`${h}.encoder_attn.out_proj`, 'out_in'),
      ln: v.norm(`${h}.encoder_attn_layer_norm`),
    },
    fc: v.linear(`${h}.fc1`, 'out_in'),
    fcOut: v.linear(`${h}.fc2`, 'out_in'),
    ln2: v.norm(`${h}.final_layer_norm`),
  };
}
