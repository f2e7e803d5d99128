// GPT (decoder only, pre-LN, learned positions, tied or separate lm_head) as a recorded forward and
// backward over one batch shape (llm.c's gpt2_forward / gpt2_backward). Activations and their
// gradients are planned per batch shape (arena.ts); parameter gradients accumulate into the flat
// gradient buffer, so micro-batches add up until the optimizer step zeroes them.
import type { GpuContext } from '../gpu/device';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { embeddingBackward, embeddingBackwardScratchWords, embeddingForward, positionEmbeddingBackward, positionEmbeddingForward } from '../ops/embedding';
import { geluBackward } from '../ops/gelu';
import { layernormBackward, layernormBackwardScratchWords, layernormForward, residualLayernormForward } from '../ops/layernorm';
import { matmul } from '../ops/matmul';
import { type Arena, ArenaPlan } from './arena';
import { type AttentionActs, type AttentionGrads, type AttentionShape, attentionBlockBackward, attentionBlockForward, attentionGrads, linearBackward, linearForward, planAttentionGrads, type QkvSource } from './blocks';
import { type Linear, type Norm, ParamViews, slabView } from './views';
import type { TrainGraph } from './graph';
import type { ParamLayout } from './params';
import { crossEntropyForwardBackward } from '../ops/crossentropy';
import { type DropoutSpec, dropoutBackward, dropoutForward } from '../ops/dropout';
import { fill } from '../ops/fill';
import type { StepState } from '../ops/step-state';
import type { BatchShape } from './memory';

interface Layer {
  ln1: Norm;
  attn: Linear;
  proj: Linear;
  ln2: Norm;
  fc: Linear;
  fcProj: Linear;
}

export class GptGraph implements TrainGraph {
  readonly acts: Arena;
  readonly dacts: Arena;
  /** Inputs uploaded each step: token ids and next-token targets ([N] u32; targets >= V are ignored). */
  readonly idx: Tensor;
  readonly targets: Tensor;
  readonly logits: Tensor;
  /** [4] f32 written by the loss: mean loss, counted targets, correct argmax, loss sum. */
  readonly lossStats: Tensor;
  private readonly layers: Layer[] = [];
  private readonly B: number;
  private readonly T: number;

  constructor(
    readonly ctx: GpuContext,
    readonly layout: ParamLayout,
    readonly params: Tensor,
    readonly grads: Tensor,
    batch: BatchShape,
    /** Multiplies dlogits (1 / micro-batches for gradient accumulation). */
    readonly gradScale = 1,
    /** Seed and step of the replay: dropout masks are drawn from them (required if dropout > 0). */
    readonly state?: StepState,
  ) {
    const cfg = layout.config;
    if (cfg.kind !== 'decoder') throw new Error(`GptGraph: config kind is '${cfg.kind}', expected 'decoder'`);
    if (cfg.activation !== 'gelu_tanh') throw new Error(`GptGraph: activation '${cfg.activation}' has no kernel (only gelu_tanh)`);
    const { batchSize: B, seqLen: T } = batch;
    if (T > cfg.blockSize) throw new Error(`GptGraph: sequence length ${T} exceeds blockSize ${cfg.blockSize}`);
    this.B = B;
    this.T = T;
    const { nEmbd: C, ffWidth: F, vocabSize: V, nHead: H, nLayer: L } = cfg;
    const N = B * T;
    const a = new ArenaPlan(`gpt.activations[${B}x${T}]`);
    const d = new ArenaPlan(`gpt.activationGrads[${B}x${T}]`);
    a.add('idx', [N], 'u32');
    a.add('targets', [N], 'u32');
    a.add('ones', [1, N]);
    a.add('zerosC', [C]);
    a.add('encoded', [N, C]);
    if (cfg.dropout > 0) {
      // Dropped copies of the embedding sum and of each branch before its residual add; masks are
      // recomputed in backward from the StepState counters, never stored.
      a.add('encodedDrop', [N, C]);
      for (let l = 0; l < L; l++) for (const n of ['attprojDrop', 'fcprojDrop']) a.add(`${l}.${n}`, [N, C]);
      d.add('branch', [N, C]);
    }
    for (let l = 0; l < L; l++) {
      for (const [name, shape] of [
        ['ln1', [N, C]], ['qkv', [N, 3 * C]], ['atty', [N, C]], ['attproj', [N, C]], ['res2', [N, C]], ['ln2', [N, C]],
        ['fchPre', [N, F]], ['fch', [N, F]], ['fcproj', [N, C]], ['res3', [N, C]],
      ] as [string, number[]][]) {
        a.add(`${l}.${name}`, shape);
      }
      a.add(`${l}.probs`, [B, H, T, T]);
      for (const s of ['ln1Mean', 'ln1Rstd', 'ln2Mean', 'ln2Rstd']) a.add(`${l}.${s}`, [N]);
    }
    a.add('lnf', [N, C]);
    a.add('lnfMean', [N]);
    a.add('lnfRstd', [N]);
    a.add('logits', [N, V]);
    // Backward needs one layer's worth of activation gradients, reused layer after layer, and one
    // running gradient of the residual stream: a residual add passes its gradient through
    // unchanged, so every branch reads `residual` and every layernorm backward adds into it.
    d.add('residual', [N, C]);
    for (const [name, shape] of [['lnf', [N, C]], ['fch', [N, F]], ['fchPre', [N, F]], ['ln2', [N, C]], ['atty', [N, C]], ['qkv', [N, 3 * C]], ['ln1', [N, C]]] as [string, number[]][]) {
      d.add(name, shape);
    }
    planAttentionGrads(d, 'attn', { B, H, T });
    d.add('logits', [N, V]);
    d.add('junkC', [C]); // dbeta of bias-free layernorms lands here
    d.add('lnScratch', [layernormBackwardScratchWords(N, C)]);
    d.add('embScratch', [embeddingBackwardScratchWords(N, V)], 'u32');
    a.add('losses', [N]);
    a.add('lossStats', [4]);
    a.add('lossCorrect', [N]);
    this.acts = a.allocate(ctx);
    this.dacts = d.allocate(ctx);
    this.idx = this.acts.get('idx');
    this.targets = this.acts.get('targets');
    this.logits = this.acts.get('logits');
    this.lossStats = this.acts.get('lossStats');

    const v = new ParamViews(layout, params, grads, { zeros: this.acts.get('zerosC'), junk: this.dacts.get('junkC') });
    for (let l = 0; l < L; l++) {
      const h = `transformer.h.${l}`;
      this.layers.push({
        ln1: v.norm(`${h}.ln_1`),
        attn: v.linear(`${h}.attn.c_attn`, 'in_out'),
        proj: v.linear(`${h}.attn.c_proj`, 'in_out'),
        ln2: v.norm(`${h}.ln_2`),
        fc: v.linear(`${h}.mlp.c_fc`, 'in_out'),
        fcProj: v.linear(`${h}.mlp.c_proj`, 'in_out'),
      });
    }
    this.lnf = v.norm('transformer.ln_f');
    this.wte = v.param('transformer.wte.weight');
    this.dwte = v.grad('transformer.wte.weight');
    this.lmHead = cfg.tiedEmbeddings ? this.wte : v.param('lm_head.weight');
    this.dlmHead = cfg.tiedEmbeddings ? this.dwte : v.grad('lm_head.weight');
  }

  private readonly lnf: Norm;
  private readonly wte: Tensor;
  private readonly dwte: Tensor;
  private readonly lmHead: Tensor;
  private readonly dlmHead: Tensor;

  get inputs(): Record<string, Tensor> {
    return { idx: this.idx, targets: this.targets };
  }

  get lossTerms(): Tensor[] {
    return [this.lossStats];
  }

  private shape(l = 0, train = false): AttentionShape {
    const cfg = this.layout.config;
    return { B: this.B, T: this.T, H: cfg.nHead, D: cfg.nEmbd / cfg.nHead, causal: true, dropout: train ? this.drop(l, 1) : undefined };
  }

  /** The dropout of site `site` in layer `l` (layer -1: embeddings), if this model drops anything. */
  private drop(l: number, site: number): DropoutSpec | undefined {
    const p = this.layout.config.dropout;
    return p > 0 && this.state ? { p, stream: (l + 1) * 8 + site, state: this.state } : undefined;
  }

  private attention(l: number): { acts: AttentionActs; grads: AttentionGrads; src: QkvSource; dsrc: { dq: Tensor; dkv: Tensor } } {
    const A = (n: string) => this.acts.get(`${l}.${n}`);
    const C = this.layout.config.nEmbd;
    const dqkv = this.dacts.get('qkv');
    return {
      acts: { probs: A('probs'), merged: A('atty') },
      grads: attentionGrads(this.dacts, 'attn'),
      src: { q: A('qkv'), qCol: 0, qW: 3 * C, kv: A('qkv'), kCol: C, vCol: 2 * C, kvW: 3 * C },
      dsrc: { dq: dqkv, dkv: dqkv },
    };
  }

  /** Attention probabilities of layer `l` ([B, H, T, T]) after a forward pass: the inspection path. */
  probs(l: number): Tensor {
    return this.acts.get(`${l}.probs`);
  }

  /**
   * Records the forward pass through the loss (whose backward, dlogits, the loss op writes too).
   * `train`: apply dropout (the backward pass must follow a training forward).
   */
  forward(rec: Recorder, train = true): void {
    // Without a StepState the graph serves inference only (evaluation, inspection): masks need one.
    if (train && this.layout.config.dropout > 0 && !this.state) {
      throw new Error(`GptGraph: training with dropout ${this.layout.config.dropout} needs the StepState its masks are drawn from`);
    }
    const cfg = this.layout.config;
    const { B, T } = this;
    const { nEmbd: C, vocabSize: V, layerNormEps: eps } = cfg;
    const N = B * T;
    const A = (n: string) => this.acts.get(n);
    fill(rec, A('ones'), 1);
    embeddingForward(rec, A('encoded'), this.idx, this.wte, { N, C, V });
    positionEmbeddingForward(rec, A('encoded'), slabView(this.params, this.layout, 'transformer.wpe.weight'), { B, T, C, accumulate: true });
    // dropped(x, copy, site): x itself without dropout, else its dropped copy.
    const dropped = (x: Tensor, copy: string, l: number, site: number): Tensor => {
      const spec = train ? this.drop(l, site) : undefined;
      if (!spec) return x;
      dropoutForward(rec, A(copy), x, spec);
      return A(copy);
    };
    const x0 = dropped(A('encoded'), 'encodedDrop', -1, 0);
    layernormForward(rec, A('0.ln1'), A('0.ln1Mean'), A('0.ln1Rstd'), x0, this.layers[0].ln1.g, this.layers[0].ln1.b, { N, C, eps });
    this.layers.forEach((p, l) => {
      const a = (n: string) => A(`${l}.${n}`);
      const residual = l === 0 ? x0 : A(`${l - 1}.res3`);
      linearForward(rec, a('qkv'), a('ln1'), p.attn.p, { label: `h${l}.c_attn` });
      const att = this.attention(l);
      attentionBlockForward(rec, att.acts, att.src, this.shape(l, train));
      linearForward(rec, a('attproj'), a('atty'), p.proj.p, { label: `h${l}.attn.c_proj` });
      const attBranch = dropped(a('attproj'), `${l}.attprojDrop`, l, 2);
      residualLayernormForward(rec, a('res2'), a('ln2'), a('ln2Mean'), a('ln2Rstd'), residual, attBranch, p.ln2.g, p.ln2.b, { N, C, eps });
      linearForward(rec, a('fch'), a('ln2'), p.fc.p, { gelu: true, preGelu: a('fchPre'), label: `h${l}.c_fc` });
      linearForward(rec, a('fcproj'), a('fch'), p.fcProj.p, { label: `h${l}.mlp.c_proj` });
      // The residual add is fused with the next layernorm: the next block's ln_1, or ln_f.
      const last = l === this.layers.length - 1;
      const next = last ? this.lnf : this.layers[l + 1].ln1;
      const [out, mean, rstd] = last ? [A('lnf'), A('lnfMean'), A('lnfRstd')] : [A(`${l + 1}.ln1`), A(`${l + 1}.ln1Mean`), A(`${l + 1}.ln1Rstd`)];
      const mlpBranch = dropped(a('fcproj'), `${l}.fcprojDrop`, l, 3);
      residualLayernormForward(rec, a('res3'), out, mean, rstd, a('res2'), mlpBranch, next.g, next.b, { N, C, eps });
    });
    matmul(rec, { out: this.logits, a: A('lnf'), b: this.lmHead, transB: true, label: 'lm_head' });
    crossEntropyForwardBackward(rec, A('losses'), this.dacts.get('logits'), this.lossStats, this.logits, this.targets, { N, V, gradScale: this.gradScale }, A('lossCorrect'));
  }

  /** Records the backward pass (after forward): parameter grads accumulated. */
  backward(rec: Recorder): void {
    const cfg = this.layout.config;
    const { B, T } = this;
    const { nEmbd: C, vocabSize: V, layerNormEps: eps } = cfg;
    const N = B * T;
    const L = this.layers.length;
    const A = (n: string) => this.acts.get(n);
    const dA = (n: string) => this.dacts.get(n);
    const ones = A('ones');
    const lnScratch = dA('lnScratch');
    const dres = dA('residual');
    fill(rec, dres);
    // logits = lnf · headᵀ (dlogits written by the loss): dlnf = dlogits · head, dhead += dlogitsᵀ · lnf
    const dlogits = dA('logits');
    matmul(rec, { out: dA('lnf'), a: dlogits, b: this.lmHead, label: 'lm_head.dx' });
    matmul(rec, { out: this.dlmHead, a: dlogits, b: A('lnf'), transA: true, accumulate: true, label: 'lm_head.dw' });
    layernormBackward(rec, dres, this.lnf.dg, this.lnf.db, dA('lnf'), A(`${L - 1}.res3`), this.lnf.g, A('lnfMean'), A('lnfRstd'), { N, C, eps }, lnScratch);
    // The gradient of a dropped branch: dres through the same mask, or dres itself.
    const undropped = (l: number, site: number): Tensor => {
      const spec = this.drop(l, site);
      if (!spec) return dres;
      fill(rec, dA('branch'));
      dropoutBackward(rec, dA('branch'), dres, spec);
      return dA('branch');
    };
    for (let l = L - 1; l >= 0; l--) {
      const p = this.layers[l];
      const a = (n: string) => A(`${l}.${n}`);
      const residual = l === 0 ? (this.drop(-1, 0) ? A('encodedDrop') : A('encoded')) : A(`${l - 1}.res3`);
      // res3 = res2 + fcproj: dfcproj is dres itself (through dropout); dres carries on as dres2.
      linearBackward(rec, dA('fch'), 'set', p.fcProj.d, undropped(l, 3), a('fch'), p.fcProj.p, ones, `h${l}.mlp.c_proj`);
      fill(rec, dA('fchPre'));
      geluBackward(rec, dA('fchPre'), dA('fch'), a('fchPre'));
      linearBackward(rec, dA('ln2'), 'set', p.fc.d, dA('fchPre'), a('ln2'), p.fc.p, ones, `h${l}.c_fc`);
      layernormBackward(rec, dres, p.ln2.dg, p.ln2.db, dA('ln2'), a('res2'), p.ln2.g, a('ln2Mean'), a('ln2Rstd'), { N, C, eps }, lnScratch);
      // res2 = residual + attproj: dattproj is dres (now dres2).
      linearBackward(rec, dA('atty'), 'set', p.proj.d, undropped(l, 2), a('atty'), p.proj.p, ones, `h${l}.attn.c_proj`);
      const att = this.attention(l);
      fill(rec, dA('qkv'));
      attentionBlockBackward(rec, att.dsrc, att.grads, dA('atty'), att.acts, att.src, this.shape(l, true));
      linearBackward(rec, dA('ln1'), 'set', p.attn.d, dA('qkv'), a('ln1'), p.attn.p, ones, `h${l}.c_attn`);
      layernormBackward(rec, dres, p.ln1.dg, p.ln1.db, dA('ln1'), residual, p.ln1.g, a('ln1Mean'), a('ln1Rstd'), { N, C, eps }, lnScratch);
    }
    // dres is now the gradient of the (dropped) embedding sum.
    const demb = undropped(-1, 0);
    embeddingBackward(rec, this.dwte, demb, this.idx, { N, C, V }, dA('embScratch'));
    positionEmbeddingBackward(rec, slabView(this.grads, this.layout, 'transformer.wpe.weight'), demb, { B, T, C });
  }

  destroy(): void {
    this.acts.destroy();
    this.dacts.destroy();
  }
}
