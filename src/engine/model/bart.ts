// Encoder-decoder (BART-style, post-LN) graph for denoising objectives: encoder over a padded
// source [B, Ts], decoder over the target [B, Tt] with causal self-attention and cross attention
// to the encoder output (masked by the source lengths), tied shared embeddings as the lm head.
// Hugging Face BART names (model.shared, model.encoder.layers.0.self_attn.q_proj …); unlike BART,
// positions are learned without BART's offset of 2. Dropout is not wired here yet.
import type { GpuContext } from '../gpu/device';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { crossEntropyForwardBackward } from '../ops/crossentropy';
import { embeddingBackward, embeddingBackwardScratchWords, embeddingForward, positionEmbeddingBackward, positionEmbeddingForward } from '../ops/embedding';
import { fill } from '../ops/fill';
import { geluBackward } from '../ops/gelu';
import { layernormBackward, layernormBackwardScratchWords, layernormForward, residualLayernormForward } from '../ops/layernorm';
import { matmul } from '../ops/matmul';
import { type Arena, ArenaPlan } from './arena';
import { type AttentionShape, attentionBlockBackward, attentionBlockForward, attentionGrads, linearBackward, linearForward, planAttentionGrads, type QkvSource } from './blocks';
import type { TrainGraph } from './graph';
import type { BatchShape } from './memory';
import type { ParamLayout } from './params';
import { type Linear, type Norm, ParamViews } from './views';

interface Layer {
  qkv: Linear;
  out: Linear;
  ln1: Norm;
  cq?: Linear;
  ckv?: Linear;
  cout?: Linear;
  ln2?: Norm;
  fc1: Linear;
  fc2: Linear;
  lnF: Norm;
}

export interface Seq2SeqShape extends BatchShape {
  /** Decoder length (default seqLen). */
  targetLen?: number;
}

export class BartGraph implements TrainGraph {
  readonly acts: Arena;
  readonly dacts: Arena;
  readonly logits: Tensor;
  readonly lossStats: Tensor;
  private readonly enc: Layer[] = [];
  private readonly dec: Layer[] = [];
  private readonly B: number;
  private readonly Ts: number;
  private readonly Tt: number;
  private readonly v: ParamViews;

  constructor(
    readonly ctx: GpuContext,
    readonly layout: ParamLayout,
    readonly params: Tensor,
    readonly grads: Tensor,
    batch: Seq2SeqShape,
    readonly gradScale = 1,
  ) {
    const cfg = layout.config;
    if (cfg.kind !== 'encoder-decoder') throw new Error(`BartGraph: config kind is '${cfg.kind}', expected 'encoder-decoder'`);
    if (cfg.norm !== 'post') throw new Error('BartGraph: only post-LN encoder-decoders (BART) are assembled');
    if (cfg.activation !== 'gelu_tanh') throw new Error(`BartGraph: activation '${cfg.activation}' has no kernel (only gelu_tanh)`);
    if (cfg.dropout > 0) throw new Error('BartGraph: dropout > 0 is not wired into the encoder-decoder yet');
    if (!cfg.tiedEmbeddings) throw new Error('BartGraph: an untied lm_head is not assembled yet');
    const B = (this.B = batch.batchSize);
    const Ts = (this.Ts = batch.seqLen);
    const Tt = (this.Tt = batch.targetLen ?? batch.seqLen);
    if (Ts > cfg.blockSize || Tt > cfg.blockSize) throw new Error(`BartGraph: lengths ${Ts}/${Tt} exceed blockSize ${cfg.blockSize}`);
    const { nEmbd: C, ffWidth: F, vocabSize: V, nHead: H, nLayer: L } = cfg;
    const Ns = B * Ts;
    const Nt = B * Tt;
    const a = new ArenaPlan(`bart.activations[${B}x${Ts}->${Tt}]`);
    const d = new ArenaPlan(`bart.activationGrads[${B}x${Ts}->${Tt}]`);
    for (const [name, n] of [['input_ids', Ns], ['kvLen', B], ['decoder_input_ids', Nt], ['labels', Nt]] as [string, number][]) a.add(name, [n], 'u32');
    a.add('onesS', [1, Ns]);
    a.add('onesT', [1, Nt]);
    for (const [side, N, T] of [['e', Ns, Ts], ['d', Nt, Tt]] as [string, number, number][]) {
      a.add(`${side}.emb`, [N, C]);
      a.add(`${side}.x0`, [N, C]);
      a.add(`${side}.embMean`, [N]);
      a.add(`${side}.embRstd`, [N]);
      for (let l = 0; l < L; l++) {
        const p = `${side}${l}.`;
        for (const [name, shape] of [
          ['qkv', [N, 3 * C]], ['probs', [B, H, T, T]],
          ['atty', [N, C]], ['ao', [N, C]], ['r1', [N, C]], ['x1', [N, C]], ['hPre', [N, F]], ['h', [N, F]], ['o', [N, C]], ['rF', [N, C]], ['xF', [N, C]],
          ['ln1Mean', [N]], ['ln1Rstd', [N]], ['lnFMean', [N]], ['lnFRstd', [N]],
        ] as [string, number[]][]) {
          a.add(p + name, shape);
        }
        if (side === 'd') {
          for (const [name, shape] of [
            ['cq', [Nt, C]], ['ckv', [Ns, 2 * C]],
            ['cprobs', [B, H, Tt, Ts]], ['catty', [Nt, C]], ['cao', [Nt, C]], ['r2', [Nt, C]], ['x2', [Nt, C]], ['ln2Mean', [Nt]], ['ln2Rstd', [Nt]],
          ] as [string, number[]][]) {
            a.add(p + name, shape);
          }
        }
      }
    }
    a.add('logits', [Nt, V]);
    a.add('losses', [Nt]);
    a.add('lossStats', [4]);
    a.add('lossCorrect', [Nt]);
    // Backward: two stream buffers per side (post-LN: each layernorm backward writes a fresh
    // gradient that the residual branches then read and add into), one layer of scratch per side.
    for (const [side, N] of [['e', Ns], ['d', Nt]] as [string, number][]) {
      d.add(`${side}.streamA`, [N, C]);
      d.add(`${side}.streamB`, [N, C]);
      d.add(`${side}.qkv`, [N, 3 * C]);
      d.add(`${side}.atty`, [N, C]);
      d.add(`${side}.hPre`, [N, F]);
      d.add(`${side}.h`, [N, F]);
    }
    d.add('cq', [Nt, C]);
    d.add('ckv', [Ns, 2 * C]);
    d.add('catty', [Nt, C]);
    d.add('logits', [Nt, V]);
    planAttentionGrads(d, 'eattn', { B, H, T: Ts });
    planAttentionGrads(d, 'dattn', { B, H, T: Tt });
    planAttentionGrads(d, 'cattn', { B, H, T: Tt, Tk: Ts });
    d.add('lnScratch', [layernormBackwardScratchWords(Math.max(Ns, Nt), C)]);
    d.add('embScratch', [embeddingBackwardScratchWords(Math.max(Ns, Nt), V)], 'u32');
    this.acts = a.allocate(ctx);
    this.dacts = d.allocate(ctx);
    this.logits = this.acts.get('logits');
    this.lossStats = this.acts.get('lossStats');

    const v = (this.v = new ParamViews(layout, params, grads));
    for (const side of ['encoder', 'decoder'] as const) {
      for (let l = 0; l < L; l++) {
        const h = `model.${side}.layers.${l}`;
        const layer: Layer = {
          qkv: v.linear(`${h}.self_attn.q_proj_k_proj_v_proj`, 'out_in'),
          out: v.linear(`${h}.self_attn.out_proj`, 'out_in'),
          ln1: v.norm(`${h}.self_attn_layer_norm`),
          fc1: v.linear(`${h}.fc1`, 'out_in'),
          fc2: v.linear(`${h}.fc2`, 'out_in'),
          lnF: v.norm(`${h}.final_layer_norm`),
        };
        if (side === 'decoder') {
          layer.cq = v.linear(`${h}.encoder_attn.q_proj`, 'out_in');
          layer.ckv = v.linear(`${h}.encoder_attn.k_proj_v_proj`, 'out_in');
          layer.cout = v.linear(`${h}.encoder_attn.out_proj`, 'out_in');
          layer.ln2 = v.norm(`${h}.encoder_attn_layer_norm`);
        }
        (side === 'encoder' ? this.enc : this.dec).push(layer);
      }
    }
  }

  get inputs(): Record<string, Tensor> {
    const A = (n: string) => this.acts.get(n);
    return { input_ids: A('input_ids'), kvLen: A('kvLen'), decoder_input_ids: A('decoder_input_ids'), labels: A('labels') };
  }

  get lossTerms(): Tensor[] {
    return [this.lossStats];
  }

  private dims() {
    const cfg = this.layout.config;
    return { B: this.B, H: cfg.nHead, D: cfg.nEmbd / cfg.nHead, C: cfg.nEmbd };
  }

  private selfAttention(side: 'e' | 'd', l: number) {
    const { B, H, D, C } = this.dims();
    const T = side === 'e' ? this.Ts : this.Tt;
    const A = (n: string) => this.acts.get(`${side}${l}.${n}`);
    const src: QkvSource = { q: A('qkv'), qCol: 0, qW: 3 * C, kv: A('qkv'), kCol: C, vCol: 2 * C, kvW: 3 * C };
    const shape: AttentionShape = { B, T, H, D, causal: side === 'd', kvLen: side === 'e' ? this.acts.get('kvLen') : undefined };
    const acts = { probs: A('probs'), merged: A('atty') };
    const dqkv = this.dacts.get(`${side}.qkv`);
    const grads = attentionGrads(this.dacts, `${side}attn`);
    return { src, shape, acts, grads, dsrc: { dq: dqkv, dkv: dqkv } };
  }

  private crossAttention(l: number) {
    const { B, H, D, C } = this.dims();
    const A = (n: string) => this.acts.get(`d${l}.${n}`);
    const src: QkvSource = { q: A('cq'), qCol: 0, qW: C, kv: A('ckv'), kCol: 0, vCol: C, kvW: 2 * C };
    const shape: AttentionShape = { B, T: this.Tt, Tk: this.Ts, H, D, causal: false, kvLen: this.acts.get('kvLen') };
    const acts = { probs: A('cprobs'), merged: A('catty') };
    const grads = attentionGrads(this.dacts, 'cattn');
    return { src, shape, acts, grads, dsrc: { dq: this.dacts.get('cq'), dkv: this.dacts.get('ckv') } };
  }

  /** Attention probabilities after a forward pass: encoder self, decoder self, or decoder cross. */
  probs(kind: 'encoder' | 'decoder' | 'cross', l: number): Tensor {
    return this.acts.get(kind === 'encoder' ? `e${l}.probs` : kind === 'decoder' ? `d${l}.probs` : `d${l}.cprobs`);
  }

  forward(rec: Recorder): void {
    const cfg = this.layout.config;
    const { C } = this.dims();
    const { B, Ts, Tt, v } = this;
    const { vocabSize: V, layerNormEps: eps } = cfg;
    const A = (n: string) => this.acts.get(n);
    fill(rec, A('onesS'), 1);
    fill(rec, A('onesT'), 1);
    const shared = v.param('model.shared.weight');
    const embed = (side: 'e' | 'd', ids: Tensor, T: number) => {
      const s = side === 'e' ? 'encoder' : 'decoder';
      embeddingForward(rec, A(`${side}.emb`), ids, shared, { N: B * T, C, V });
      positionEmbeddingForward(rec, A(`${side}.emb`), v.param(`model.${s}.embed_positions.weight`), { B, T, C, accumulate: true });
      const ln = v.norm(`model.${s}.layernorm_embedding`);
      layernormForward(rec, A(`${side}.x0`), A(`${side}.embMean`), A(`${side}.embRstd`), A(`${side}.emb`), ln.g, ln.b, { N: B * T, C, eps });
    };
    embed('e', A('input_ids'), Ts);
    const L = this.enc.length;
    for (const side of ['e', 'd'] as const) {
      if (side === 'd') embed('d', A('decoder_input_ids'), Tt);
      const N = B * (side === 'e' ? Ts : Tt);
      const layers = side === 'e' ? this.enc : this.dec;
      layers.forEach((p, l) => {
        const a = (n: string) => A(`${side}${l}.${n}`);
        const x = l === 0 ? A(`${side}.x0`) : A(`${side}${l - 1}.xF`);
        linearForward(rec, a('qkv'), x, p.qkv.p, { label: `${side}${l}.self_attn.qkv` });
        const att = this.selfAttention(side, l);
        attentionBlockForward(rec, att.acts, att.src, att.shape);
        linearForward(rec, a('ao'), a('atty'), p.out.p, { label: `${side}${l}.self_attn.out_proj` });
        residualLayernormForward(rec, a('r1'), a('x1'), a('ln1Mean'), a('ln1Rstd'), x, a('ao'), p.ln1.g, p.ln1.b, { N, C, eps });
        let y = a('x1');
        if (side === 'd') {
          const encOut = A(`e${L - 1}.xF`);
          linearForward(rec, a('cq'), y, p.cq!.p, { label: `d${l}.encoder_attn.q_proj` });
          linearForward(rec, a('ckv'), encOut, p.ckv!.p, { label: `d${l}.encoder_attn.kv_proj` });
          const cross = this.crossAttention(l);
          attentionBlockForward(rec, cross.acts, cross.src, cross.shape);
          linearForward(rec, a('cao'), a('catty'), p.cout!.p, { label: `d${l}.encoder_attn.out_proj` });
          residualLayernormForward(rec, a('r2'), a('x2'), a('ln2Mean'), a('ln2Rstd'), y, a('cao'), p.ln2!.g, p.ln2!.b, { N, C, eps });
          y = a('x2');
        }
        linearForward(rec, a('h'), y, p.fc1.p, { gelu: true, preGelu: a('hPre'), label: `${side}${l}.fc1` });
        linearForward(rec, a('o'), a('h'), p.fc2.p, { label: `${side}${l}.fc2` });
        residualLayernormForward(rec, a('rF'), a('xF'), a('lnFMean'), a('lnFRstd'), y, a('o'), p.lnF.g, p.lnF.b, { N, C, eps });
      });
    }
    matmul(rec, { out: this.logits, a: A(`d${L - 1}.xF`), b: shared, transB: true, label: 'lm_head' });
    crossEntropyForwardBackward(rec, A('losses'), this.dacts.get('logits'), this.lossStats, this.logits, A('labels'), { N: B * Tt, V, gradScale: this.gradScale }, A('lossCorrect'));
  }

  backward(rec: Recorder): void {
    const cfg = this.layout.config;
    const { C } = this.dims();
    const { B, Ts, Tt, v } = this;
    const { vocabSize: V, layerNormEps: eps } = cfg;
    const A = (n: string) => this.acts.get(n);
    const dA = (n: string) => this.dacts.get(n);
    const L = this.enc.length;
    const lnScratch = dA('lnScratch');
    const shared = v.param('model.shared.weight');
    const dshared = v.grad('model.shared.weight');
    // The encoder output's gradient gathers every decoder layer's cross-attention k/v gradient.
    const dEncOut = dA('e.streamA');
    fill(rec, dEncOut);
    for (const side of ['d', 'e'] as const) {
      const N = B * (side === 'e' ? Ts : Tt);
      const ones = A(side === 'e' ? 'onesS' : 'onesT');
      const layers = side === 'e' ? this.enc : this.dec;
      // cur holds the gradient flowing down the stream; each layernorm backward writes `other`, then they swap.
      let cur = dA(`${side}.streamA`);
      let other = dA(`${side}.streamB`);
      const lnBack = (n: Norm, x: Tensor, mean: Tensor, rstd: Tensor) => {
        fill(rec, other);
        layernormBackward(rec, other, n.dg, n.db, cur, x, n.g, mean, rstd, { N, C, eps }, lnScratch);
        [cur, other] = [other, cur];
      };
      if (side === 'd') {
        const dlogits = dA('logits');
        const top = A(`d${L - 1}.xF`);
        matmul(rec, { out: cur, a: dlogits, b: shared, label: 'lm_head.dx' });
        matmul(rec, { out: dshared, a: dlogits, b: top, transA: true, accumulate: true, label: 'lm_head.dw' });
      }
      for (let l = L - 1; l >= 0; l--) {
        const p = layers[l];
        const a = (n: string) => A(`${side}${l}.${n}`);
        const xIn = l === 0 ? A(`${side}.x0`) : A(`${side}${l - 1}.xF`);
        const y = side === 'd' ? a('x2') : a('x1');
        lnBack(p.lnF, a('rF'), a('lnFMean'), a('lnFRstd'));
        linearBackward(rec, dA(`${side}.h`), 'set', p.fc2.d, cur, a('h'), p.fc2.p, ones, `${side}${l}.fc2`);
        fill(rec, dA(`${side}.hPre`));
        geluBackward(rec, dA(`${side}.hPre`), dA(`${side}.h`), a('hPre'));
        linearBackward(rec, cur, 'add', p.fc1.d, dA(`${side}.hPre`), y, p.fc1.p, ones, `${side}${l}.fc1`);
        if (side === 'd') {
          lnBack(p.ln2!, a('r2'), a('ln2Mean'), a('ln2Rstd'));
          linearBackward(rec, dA('catty'), 'set', p.cout!.d, cur, a('catty'), p.cout!.p, ones, `d${l}.encoder_attn.out_proj`);
          const cross = this.crossAttention(l);
          fill(rec, dA('cq'));
          fill(rec, dA('ckv'));
          attentionBlockBackward(rec, cross.dsrc, cross.grads, dA('catty'), cross.acts, cross.src, cross.shape);
          linearBackward(rec, cur, 'add', p.cq!.d, dA('cq'), a('x1'), p.cq!.p, ones, `d${l}.encoder_attn.q_proj`);
          linearBackward(rec, dEncOut, 'add', p.ckv!.d, dA('ckv'), A(`e${L - 1}.xF`), p.ckv!.p, A('onesS'), `d${l}.encoder_attn.kv_proj`);
        }
        lnBack(p.ln1, a('r1'), a('ln1Mean'), a('ln1Rstd'));
        linearBackward(rec, dA(`${side}.atty`), 'set', p.out.d, cur, a('atty'), p.out.p, ones, `${side}${l}.self_attn.out_proj`);
        const att = this.selfAttention(side, l);
        fill(rec, dA(`${side}.qkv`));
        attentionBlockBackward(rec, att.dsrc, att.grads, dA(`${side}.atty`), att.acts, att.src, att.shape);
        linearBackward(rec, cur, 'add', p.qkv.d, dA(`${side}.qkv`), xIn, p.qkv.p, ones, `${side}${l}.self_attn.qkv`);
      }
      const s = side === 'e' ? 'encoder' : 'decoder';
      lnBack(v.norm(`model.${s}.layernorm_embedding`), A(`${side}.emb`), A(`${side}.embMean`), A(`${side}.embRstd`));
      const T = side === 'e' ? Ts : Tt;
      const ids = A(side === 'e' ? 'input_ids' : 'decoder_input_ids');
      embeddingBackward(rec, dshared, cur, ids, { N: B * T, C, V }, dA('embScratch'));
      positionEmbeddingBackward(rec, v.grad(`model.${s}.embed_positions.weight`), cur, { B, T, C });
    }
  }

  destroy(): void {
    this.acts.destroy();
    this.dacts.destroy();
  }
}
