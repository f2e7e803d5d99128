// BERT (encoder only, post-LN) pretraining graph: word + position + token-type embeddings and their
// layernorm, bidirectional attention with a key-padding mask, the MLM head (dense + GELU +
// layernorm + tied decoder + bias) and, with a pooler, the NSP head (tanh dense on [CLS], 2-way).
// Loss = mean MLM cross-entropy over labelled positions + mean NSP cross-entropy (BertForPreTraining).
// Forward overwrites, backward accumulates parameter gradients into the flat gradient buffer.
import type { GpuContext } from '../gpu/device';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { crossEntropyForwardBackward } from '../ops/crossentropy';
import { embeddingBackward, embeddingBackwardScratchWords, embeddingForward, positionEmbeddingBackward, positionEmbeddingForward } from '../ops/embedding';
import { type DropoutSpec, dropoutBackward, dropoutForward } from '../ops/dropout';
import { fill } from '../ops/fill';
import type { StepState } from '../ops/step-state';
import { geluBackward } from '../ops/gelu';
import { layernormBackward, layernormBackwardScratchWords, layernormForward, residualLayernormForward } from '../ops/layernorm';
import { matmul } from '../ops/matmul';
import { type Arena, ArenaPlan } from './arena';
import { type AttentionShape, attentionBlockBackward, attentionBlockForward, attentionGrads, linearBackward, linearForward, planAttentionGrads } from './blocks';
import type { BatchShape } from './memory';
import type { TrainGraph } from './graph';
import type { ParamLayout } from './params';
import { tanhBackward, tanhForward } from '../ops/tanh';
import { type Linear, type Norm, ParamViews } from './views';

interface Layer {
  qkv: Linear;
  out: Linear;
  ln1: Norm;
  inter: Linear;
  output: Linear;
  ln2: Norm;
}

export class BertGraph implements TrainGraph {
  readonly acts: Arena;
  readonly dacts: Arena;
  /** Inputs uploaded each step ([N] or [B] u32; labels >= their vocabulary are ignored). */
  readonly ids: Tensor;
  readonly types: Tensor;
  /** [B] real tokens per row (padding at the tail): the attention key mask. */
  readonly kvLen: Tensor;
  readonly mlmLabels: Tensor;
  readonly nspLabels: Tensor;
  readonly logits: Tensor;
  readonly nspLogits: Tensor;
  /** [4] each: mean loss, counted targets, correct argmax, loss sum. The loss is the sum of the means. */
  readonly mlmStats: Tensor;
  readonly nspStats: Tensor;
  private readonly layers: Layer[] = [];
  private readonly B: number;
  private readonly T: number;
  private readonly v: ParamViews;

  constructor(
    readonly ctx: GpuContext,
    readonly layout: ParamLayout,
    readonly params: Tensor,
    readonly grads: Tensor,
    batch: BatchShape,
    readonly gradScale = 1,
    /** Seed and step of the replay: dropout masks are drawn from them (required if dropout > 0). */
    readonly state?: StepState,
  ) {
    const cfg = layout.config;
    if (cfg.kind !== 'encoder') throw new Error(`BertGraph: config kind is '${cfg.kind}', expected 'encoder'`);
    if (cfg.norm !== 'post') throw new Error('BertGraph: only post-LN encoders (BERT) are assembled');
    if (cfg.activation !== 'gelu_tanh') throw new Error(`BertGraph: activation '${cfg.activation}' has no kernel (only gelu_tanh)`);
    if (!cfg.tiedEmbeddings) throw new Error('BertGraph: an untied MLM decoder is not assembled yet');
    const { batchSize: B, seqLen: T } = batch;
    if (T > cfg.blockSize) throw new Error(`BertGraph: sequence length ${T} exceeds blockSize ${cfg.blockSize}`);
    this.B = B;
    this.T = T;
    const { nEmbd: C, ffWidth: F, vocabSize: V, nHead: H, nLayer: L } = cfg;
    const N = B * T;
    const a = new ArenaPlan(`bert.activations[${B}x${T}]`);
    const d = new ArenaPlan(`bert.activationGrads[${B}x${T}]`);
    for (const [name, shape] of [['ids', [N]], ['types', [N]], ['kvLen', [B]], ['mlmLabels', [N]], ['nspLabels', [B]]] as [string, number[]][]) {
      a.add(name, shape, 'u32');
    }
    a.add('onesN', [1, N]);
    a.add('onesB', [1, B]);
    a.add('zerosC', [C]);
    d.add('junkC', [C]);
    const both = (name: string, shape: number[]) => {
      a.add(name, shape);
      d.add(name, shape);
    };
    a.add('emb', [N, C]);
    a.add('x0', [N, C]);
    if (cfg.dropout > 0) {
      // Dropped copies (masks recomputed in backward from the StepState counters, never stored).
      a.add('x0Drop', [N, C]);
      for (let l = 0; l < L; l++) for (const n of ['aoDrop', 'oDrop']) a.add(`${l}.${n}`, [N, C]);
      d.add('branch', [N, C]);
    }
    a.add('embMean', [N]);
    a.add('embRstd', [N]);
    for (let l = 0; l < L; l++) {
      for (const [name, shape] of [
        ['qkv', [N, 3 * C]],
        ['atty', [N, C]], ['ao', [N, C]], ['r1', [N, C]], ['x1', [N, C]], ['hPre', [N, F]], ['h', [N, F]],
        ['o', [N, C]], ['r2', [N, C]], ['x2', [N, C]],
      ] as [string, number[]][]) {
        a.add(`${l}.${name}`, shape);
      }
      a.add(`${l}.probs`, [B, H, T, T]);
      for (const s of ['ln1Mean', 'ln1Rstd', 'ln2Mean', 'ln2Rstd']) a.add(`${l}.${s}`, [N]);
    }
    both('tPre', [N, C]);
    both('t', [N, C]);
    both('tn', [N, C]);
    // Backward: one layer's activation gradients, reused layer after layer, and two [N, C] stream
    // buffers: each post-LN layernorm backward writes a fresh gradient (its input is not the
    // stream itself), and the residual branches read it and add into it.
    d.add('streamA', [N, C]);
    d.add('streamB', [N, C]);
    for (const [name, shape] of [['qkv', [N, 3 * C]], ['atty', [N, C]], ['hPre', [N, F]], ['h', [N, F]]] as [string, number[]][]) d.add(name, shape);
    planAttentionGrads(d, 'attn', { B, H, T });
    a.add('tMean', [N]);
    a.add('tRstd', [N]);
    both('logits', [N, V]);
    a.add('mlmLosses', [N]);
    a.add('mlmStats', [4]);
    a.add('mlmCorrect', [N]);
    if (cfg.pooler) {
      both('pooledPre', [B, C]);
      both('pooled', [B, C]);
      both('nspLogits', [B, 2]);
      a.add('nspLosses', [B]);
      a.add('nspStats', [4]);
      a.add('nspCorrect', [B]);
    }
    d.add('lnScratch', [layernormBackwardScratchWords(N, C)]);
    d.add('embScratch', [embeddingBackwardScratchWords(N, Math.max(V, cfg.typeVocabSize))], 'u32');
    this.acts = a.allocate(ctx);
    this.dacts = d.allocate(ctx);
    const A = (n: string) => this.acts.get(n);
    this.ids = A('ids');
    this.types = A('types');
    this.kvLen = A('kvLen');
    this.mlmLabels = A('mlmLabels');
    this.nspLabels = A('nspLabels');
    this.logits = A('logits');
    this.mlmStats = A('mlmStats');
    this.nspLogits = cfg.pooler ? A('nspLogits') : A('mlmStats');
    this.nspStats = cfg.pooler ? A('nspStats') : A('mlmStats');

    const v = (this.v = new ParamViews(layout, params, grads, { zeros: A('zerosC'), junk: this.dacts.get('junkC') }));
    for (let l = 0; l < L; l++) {
      const h = `bert.encoder.layer.${l}`;
      this.layers.push({
        qkv: v.linear(`${h}.attention.self.query_key_value`, 'out_in'),
        out: v.linear(`${h}.attention.output.dense`, 'out_in'),
        ln1: v.norm(`${h}.attention.output.LayerNorm`),
        inter: v.linear(`${h}.intermediate.dense`, 'out_in'),
        output: v.linear(`${h}.output.dense`, 'out_in'),
        ln2: v.norm(`${h}.output.LayerNorm`),
      });
    }
  }

  get inputs(): Record<string, Tensor> {
    return { input_ids: this.ids, token_type_ids: this.types, kvLen: this.kvLen, mlm_labels: this.mlmLabels, nsp_labels: this.nspLabels };
  }

  get lossTerms(): Tensor[] {
    return this.layout.config.pooler ? [this.mlmStats, this.nspStats] : [this.mlmStats];
  }

  private shape(l = 0, train = false): AttentionShape {
    const cfg = this.layout.config;
    return { B: this.B, T: this.T, H: cfg.nHead, D: cfg.nEmbd / cfg.nHead, causal: false, kvLen: this.kvLen, dropout: train ? this.drop(l, 1) : undefined };
  }

  /** The dropout of site `site` in layer `l` (layer -1: embeddings), if this model drops anything. */
  private drop(l: number, site: number): DropoutSpec | undefined {
    const p = this.layout.config.dropout;
    return p > 0 && this.state ? { p, stream: (l + 1) * 8 + site, state: this.state } : undefined;
  }

  private attention(l: number) {
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

  /** Records the forward pass through the losses; `train` applies dropout (backward must follow one). */
  forward(rec: Recorder, train = true): void {
    // Without a StepState the graph serves inference only (evaluation, inspection): masks need one.
    if (train && this.layout.config.dropout > 0 && !this.state) {
      throw new Error(`BertGraph: training with dropout ${this.layout.config.dropout} needs the StepState its masks are drawn from`);
    }
    const cfg = this.layout.config;
    const { B, T, v } = this;
    const { nEmbd: C, vocabSize: V, layerNormEps: eps } = cfg;
    const N = B * T;
    const A = (n: string) => this.acts.get(n);
    const L = this.layers.length;
    fill(rec, A('onesN'), 1);
    fill(rec, A('onesB'), 1);
    const e = 'bert.embeddings';
    embeddingForward(rec, A('emb'), this.ids, v.param(`${e}.word_embeddings.weight`), { N, C, V });
    positionEmbeddingForward(rec, A('emb'), v.param(`${e}.position_embeddings.weight`), { B, T, C, accumulate: true });
    if (cfg.typeVocabSize > 0) {
      embeddingForward(rec, A('emb'), this.types, v.param(`${e}.token_type_embeddings.weight`), { N, C, V: cfg.typeVocabSize, accumulate: true });
    }
    const lnE = v.norm(`${e}.LayerNorm`);
    layernormForward(rec, A('x0'), A('embMean'), A('embRstd'), A('emb'), lnE.g, lnE.b, { N, C, eps });
    const dropped = (x: Tensor, copy: string, l: number, site: number): Tensor => {
      const spec = train ? this.drop(l, site) : undefined;
      if (!spec) return x;
      dropoutForward(rec, A(copy), x, spec);
      return A(copy);
    };
    const x0 = dropped(A('x0'), 'x0Drop', -1, 0);
    this.layers.forEach((p, l) => {
      const a = (n: string) => A(`${l}.${n}`);
      const x = l === 0 ? x0 : A(`${l - 1}.x2`);
      linearForward(rec, a('qkv'), x, p.qkv.p, { label: `layer${l}.qkv` });
      const att = this.attention(l);
      attentionBlockForward(rec, att.acts, att.src, this.shape(l, train));
      linearForward(rec, a('ao'), a('atty'), p.out.p, { label: `layer${l}.attention.output` });
      const ao = dropped(a('ao'), `${l}.aoDrop`, l, 2);
      residualLayernormForward(rec, a('r1'), a('x1'), a('ln1Mean'), a('ln1Rstd'), x, ao, p.ln1.g, p.ln1.b, { N, C, eps });
      linearForward(rec, a('h'), a('x1'), p.inter.p, { gelu: true, preGelu: a('hPre'), label: `layer${l}.intermediate` });
      linearForward(rec, a('o'), a('h'), p.output.p, { label: `layer${l}.output` });
      const o = dropped(a('o'), `${l}.oDrop`, l, 3);
      residualLayernormForward(rec, a('r2'), a('x2'), a('ln2Mean'), a('ln2Rstd'), a('x1'), o, p.ln2.g, p.ln2.b, { N, C, eps });
    });
    const top = A(`${L - 1}.x2`);
    // MLM head: transform (dense + GELU + layernorm), then the tied decoder plus its own bias.
    const tr = v.linear('cls.predictions.transform.dense', 'out_in');
    linearForward(rec, A('t'), top, tr.p, { gelu: true, preGelu: A('tPre'), label: 'cls.transform' });
    const lnT = v.norm('cls.predictions.transform.LayerNorm');
    layernormForward(rec, A('tn'), A('tMean'), A('tRstd'), A('t'), lnT.g, lnT.b, { N, C, eps });
    const decoderBias = cfg.bias ? v.param('cls.predictions.bias') : undefined;
    matmul(rec, { out: this.logits, a: A('tn'), b: v.param(`${e}.word_embeddings.weight`), transB: true, bias: decoderBias, label: 'cls.decoder' });
    crossEntropyForwardBackward(rec, A('mlmLosses'), this.dacts.get('logits'), this.mlmStats, this.logits, this.mlmLabels, { N, V, gradScale: this.gradScale }, A('mlmCorrect'));
    if (cfg.pooler) {
      const pool = v.linear('bert.pooler.dense', 'out_in');
      // pooledPre [B, C] = x2[b*T, :] · Wᵀ + b, reading the [CLS] rows in place (row stride T*C).
      matmul(rec, {
        out: A('pooledPre'), a: top, b: pool.p.w, transB: true, bias: pool.p.b, label: 'pooler',
        layout: { m: B, n: C, k: C, a: { ld: T * C }, b: { ld: C }, out: { ld: C } },
      });
      tanhForward(rec, A('pooled'), A('pooledPre'));
      linearForward(rec, this.nspLogits, A('pooled'), v.linear('cls.seq_relationship', 'out_in').p, { label: 'cls.seq_relationship' });
      crossEntropyForwardBackward(rec, A('nspLosses'), this.dacts.get('nspLogits'), this.nspStats, this.nspLogits, this.nspLabels, { N: B, V: 2, gradScale: this.gradScale }, A('nspCorrect'));
    }
  }

  backward(rec: Recorder): void {
    const cfg = this.layout.config;
    const { B, T, v } = this;
    const { nEmbd: C, vocabSize: V, layerNormEps: eps } = cfg;
    const N = B * T;
    const L = this.layers.length;
    const A = (n: string) => this.acts.get(n);
    const dA = (n: string) => this.dacts.get(n);
    const onesN = A('onesN');
    const lnScratch = dA('lnScratch');
    for (const name of ['t', 'tPre', ...(cfg.pooler ? ['pooledPre'] : [])]) fill(rec, dA(name));
    const e = 'bert.embeddings';
    const top = A(`${L - 1}.x2`);
    // x: the gradient entering the current layer from above (and, at its end, leaving it below);
    // y: the gradient inside the layer, between its two layernorms.
    const x = dA('streamA');
    const y = dA('streamB');
    // MLM head backward.
    const wemb = v.param(`${e}.word_embeddings.weight`);
    const dwemb = v.grad(`${e}.word_embeddings.weight`);
    matmul(rec, { out: dA('tn'), a: dA('logits'), b: wemb, label: 'cls.decoder.dx' });
    matmul(rec, { out: dwemb, a: dA('logits'), b: A('tn'), transA: true, accumulate: true, label: 'cls.decoder.dw' });
    if (cfg.bias) {
      const db = v.grad('cls.predictions.bias');
      matmul(rec, { out: db.view([1, V], 0), a: onesN, b: dA('logits'), accumulate: true, label: 'cls.decoder.db' });
    }
    const lnT = v.norm('cls.predictions.transform.LayerNorm');
    layernormBackward(rec, dA('t'), lnT.dg, lnT.db, dA('tn'), A('t'), lnT.g, A('tMean'), A('tRstd'), { N, C, eps }, lnScratch);
    geluBackward(rec, dA('tPre'), dA('t'), A('tPre'));
    const tr = v.linear('cls.predictions.transform.dense', 'out_in');
    linearBackward(rec, x, 'set', tr.d, dA('tPre'), top, tr.p, onesN, 'cls.transform');
    if (cfg.pooler) {
      const nsp = v.linear('cls.seq_relationship', 'out_in');
      linearBackward(rec, dA('pooled'), 'set', nsp.d, dA('nspLogits'), A('pooled'), nsp.p, A('onesB'), 'cls.seq_relationship');
      tanhBackward(rec, dA('pooledPre'), dA('pooled'), A('pooled'));
      const pool = v.linear('bert.pooler.dense', 'out_in');
      // d[CLS rows] += dPooledPre · W ; dW += dPooledPreᵀ · [CLS rows] ; db += 1ᵀ · dPooledPre
      matmul(rec, {
        out: x, a: dA('pooledPre'), b: pool.p.w, accumulate: true, label: 'pooler.dx',
        layout: { m: B, n: C, k: C, a: { ld: C }, b: { ld: C }, out: { ld: T * C } },
      });
      matmul(rec, {
        out: pool.d.dw, a: dA('pooledPre'), b: top, transA: true, accumulate: true, label: 'pooler.dw',
        layout: { m: C, n: C, k: B, a: { ld: C }, b: { ld: T * C }, out: { ld: C } },
      });
      if (pool.d.db) matmul(rec, { out: pool.d.db.view([1, C], 0), a: A('onesB'), b: dA('pooledPre'), accumulate: true, label: 'pooler.db' });
    }
    // The gradient of a dropped branch: g through the same mask, or g itself.
    const undropped = (g: Tensor, l: number, site: number): Tensor => {
      const spec = this.drop(l, site);
      if (!spec) return g;
      fill(rec, dA('branch'));
      dropoutBackward(rec, dA('branch'), g, spec);
      return dA('branch');
    };
    for (let l = L - 1; l >= 0; l--) {
      const p = this.layers[l];
      const a = (n: string) => A(`${l}.${n}`);
      const xIn = l === 0 ? (this.drop(-1, 0) ? A('x0Drop') : A('x0')) : A(`${l - 1}.x2`);
      // x2 = LN2(r2): y = dr2. r2 = x1 + o: do = y, and y carries on as dx1.
      fill(rec, y);
      layernormBackward(rec, y, p.ln2.dg, p.ln2.db, x, a('r2'), p.ln2.g, a('ln2Mean'), a('ln2Rstd'), { N, C, eps }, lnScratch);
      linearBackward(rec, dA('h'), 'set', p.output.d, undropped(y, l, 3), a('h'), p.output.p, onesN, `layer${l}.output`);
      fill(rec, dA('hPre'));
      geluBackward(rec, dA('hPre'), dA('h'), a('hPre'));
      linearBackward(rec, y, 'add', p.inter.d, dA('hPre'), a('x1'), p.inter.p, onesN, `layer${l}.intermediate`);
      // x1 = LN1(r1): x = dr1. r1 = xIn + ao: dao = x, and x carries on as dxIn.
      fill(rec, x);
      layernormBackward(rec, x, p.ln1.dg, p.ln1.db, y, a('r1'), p.ln1.g, a('ln1Mean'), a('ln1Rstd'), { N, C, eps }, lnScratch);
      linearBackward(rec, dA('atty'), 'set', p.out.d, undropped(x, l, 2), a('atty'), p.out.p, onesN, `layer${l}.attention.output`);
      const att = this.attention(l);
      fill(rec, dA('qkv'));
      attentionBlockBackward(rec, att.dsrc, att.grads, dA('atty'), att.acts, att.src, this.shape(l, true));
      linearBackward(rec, x, 'add', p.qkv.d, dA('qkv'), xIn, p.qkv.p, onesN, `layer${l}.qkv`);
    }
    // x = dx0; x0 = LN(emb): y = demb.
    const lnE = v.norm(`${e}.LayerNorm`);
    fill(rec, y);
    layernormBackward(rec, y, lnE.dg, lnE.db, undropped(x, -1, 0), A('emb'), lnE.g, A('embMean'), A('embRstd'), { N, C, eps }, lnScratch);
    embeddingBackward(rec, dwemb, y, this.ids, { N, C, V }, dA('embScratch'));
    positionEmbeddingBackward(rec, v.grad(`${e}.position_embeddings.weight`), y, { B, T, C });
    if (cfg.typeVocabSize > 0) {
      embeddingBackward(rec, v.grad(`${e}.token_type_embeddings.weight`), y, this.types, { N, C, V: cfg.typeVocabSize }, dA('embScratch'));
    }
  }

  destroy(): void {
    this.acts.destroy();
    this.dacts.destroy();
  }
}
