// Greedy decoding of many sources at once (the held-out translations scored at each evaluation):
//   encode the batch once:  e = encoder(sources) [B, Ts] (BartGraph forward, keys past each row's
//                           length masked), cross[l] = e W_kv + b [B·Ts, 2C], each row's part
//                           copied to its slot;
//   per position:           every unfinished row feeds its last token through the decoder trace of
//                           its slot (seq2seq-decoder.ts recordDecodeToken, over its own self-
//                           attention cache and cross K/V), all rows in one command buffer, one
//                           logits read-back; each takes its argmax, and stops at EOS.
// The same tokens and scores as greedySearch over Seq2SeqDecoder one source at a time
// (tests/unit/generate/seq2seq-batch.test.ts), in maxLength submits per batch instead of per source.
import type { GpuContext } from '../gpu/device';
import { BufferUsage, MapMode } from '../gpu/flags';
import { Recorder } from '../gpu/kernel';
import { alignOffset, Tensor } from '../gpu/tensor';
import { bartLayerParams, BartGraph } from '../model/bart';
import { linearForward } from '../model/blocks';
import { decoderVocabSize, type ModelConfig } from '../model/config';
import type { CrossCache, DecodeActs, DecodeShape } from '../model/layers/decode-layer';
import type { LayerParams } from '../model/layers/transformer-layer';
import type { ParamLayout } from '../model/params';
import { ParamViews } from '../model/views';
import { STEP_HEADER } from '../ops/decode';
import { decodeActs, decoderParams, layerCaches, recordDecodeToken } from './seq2seq-decoder';
import { type Hypothesis, logSoftmax } from './seq2seq-search';

const IGNORE = 0xffffffff;

/** One row of the batch: its caches, its cross K/V, and the trace that decodes into them. */
interface Slot {
  k: Tensor;
  v: Tensor;
  cross: Tensor;
  /** u32 [1]: the row's source length (the cross-attention's keys). */
  src: Tensor;
  /** u32 [pos, 1, token], written before each replay. */
  step: Tensor;
  trace: Recorder;
}

export interface BatchGreedyOptions {
  /** The decoder's start token ([CLS]). */
  start: number;
  eos: number;
  /** Most tokens generated (EOS included). */
  maxLength: number;
}

export class Seq2SeqBatchDecoder {
  readonly layout: ParamLayout;
  private readonly params: Tensor;
  private readonly ownsParams: boolean;
  private readonly owned: Tensor[] = [];
  private readonly slots: Slot[] = [];
  private readonly views: ParamViews;
  private readonly acts: DecodeActs;
  private readonly shape: DecodeShape;
  private readonly layerParams: LayerParams[];
  private readonly cacheLayerBytes: number;
  private readonly crossLayerBytes: number;
  private readonly logitsStride: number;
  private logits: Tensor | null = null;
  private staging: GPUBuffer | null = null;
  /** Every layer's cross K/V of the whole batch [B·Ts, 2C], before each row's part goes to its slot. */
  private crossBatch: Tensor[] = [];
  private encoder: { graph: BartGraph; B: number; Ts: number } | null = null;

  /**
   * `weights`: a flat parameter vector (uploaded to a buffer this object owns), or a live
   * parameter tensor of `layout` that is only read (a training run's, for its scores).
   * `maxRows`: sources decoded together (more are done in several batches).
   */
  constructor(readonly ctx: GpuContext, readonly config: ModelConfig, weights: Float32Array | Tensor, layout?: ParamLayout, readonly maxRows = 32) {
    if (!Number.isInteger(maxRows) || maxRows < 1) throw new Error(`Seq2SeqBatchDecoder: maxRows must be a whole number >= 1; got ${maxRows}`);
    ({ layout: this.layout, params: this.params, ownsParams: this.ownsParams } = decoderParams(ctx, config, weights, layout, 'Seq2SeqBatchDecoder'));
    const { nEmbd: C, nHead: H, ffWidth: F, blockSize: maxT, nLayer: L } = config;
    this.shape = { C, H, F, maxT, eps: config.layerNormEps, gelu: config.activation };
    this.cacheLayerBytes = alignOffset(H * maxT * (C / H) * 4);
    this.crossLayerBytes = alignOffset(maxT * 2 * C * 4);
    const maxBinding = ctx.limits.maxStorageBufferBindingSize;
    if (this.cacheLayerBytes > maxBinding) throw new Error(`Seq2SeqBatchDecoder: a cache of ${maxT} positions × ${C} floats exceeds maxStorageBufferBindingSize ${maxBinding}`);
    this.logitsStride = alignOffset(decoderVocabSize(config) * 4) / 4;
    const empty = (shape: number[], label: string): Tensor => {
      const t = Tensor.empty(ctx, shape, 'f32', label);
      this.owned.push(t);
      return t;
    };
    this.acts = decodeActs(empty, this.shape, 'seq2seq.batch');
    const zeros = empty([C], 'seq2seq.batch.noBias');
    this.views = new ParamViews(this.layout, this.params, this.params, { zeros, junk: zeros });
    this.layerParams = Array.from({ length: L }, (_, l) => bartLayerParams(this.views, 'decoder', l));
  }

  /** Slots (and logits rows) for `n` rows; each slot's trace is recorded once. */
  private ensureSlots(n: number): void {
    if (n <= this.slots.length) return;
    const { nLayer: L, nEmbd: C } = this.config;
    const { maxT } = this.shape;
    this.logits?.destroy();
    const logits = (this.logits = Tensor.empty(this.ctx, [n * this.logitsStride], 'f32', 'seq2seq.batch.logits'));
    this.staging?.destroy();
    this.staging = this.ctx.createBuffer({ label: 'seq2seq.batch.logits.staging', size: n * this.logitsStride * 4, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    // Earlier slots' traces bound the old logits buffer: record them all again.
    for (const s of this.slots) s.trace.destroy();
    for (let i = 0; i < n; i++) {
      const s = this.slots[i] ?? {
        k: Tensor.empty(this.ctx, [(L * this.cacheLayerBytes) / 4], 'f32', `seq2seq.batch.kcache${i}`),
        v: Tensor.empty(this.ctx, [(L * this.cacheLayerBytes) / 4], 'f32', `seq2seq.batch.vcache${i}`),
        cross: Tensor.empty(this.ctx, [(L * this.crossLayerBytes) / 4], 'f32', `seq2seq.batch.cross${i}`),
        src: Tensor.empty(this.ctx, [1], 'u32', `seq2seq.batch.src${i}`),
        step: Tensor.empty(this.ctx, [STEP_HEADER + 1], 'u32', `seq2seq.batch.step${i}`),
      };
      const caches = layerCaches(s.k, s.v, this.shape, L, this.cacheLayerBytes);
      const layers = this.layerParams.map((p, l): { p: LayerParams; cross: CrossCache } => ({ p, cross: { kv: s.cross.view([maxT, 2 * C], l * this.crossLayerBytes), src: s.src } }));
      const trace = recordDecodeToken(this.ctx, this.config, this.views, this.acts, this.shape, layers, caches, s.step, logits.view([decoderVocabSize(this.config)], i * this.logitsStride * 4));
      this.slots[i] = { ...s, trace };
    }
  }

  /** Runs the encoder over the batch (ids, specials included) and gives each slot its row's cross K/V and length. */
  private async encode(sources: readonly (readonly number[])[]): Promise<void> {
    const B = sources.length;
    const Ts = Math.max(...sources.map((s) => s.length));
    const { nEmbd: C, nLayer: L } = this.config;
    if (this.encoder?.B !== B || this.encoder.Ts !== Ts) {
      this.encoder?.graph.destroy();
      // Forward only: the parameters stand in for the gradient buffer (only views are taken of it).
      this.encoder = { graph: new BartGraph(this.ctx, this.layout, this.params, this.params, { batchSize: B, seqLen: Ts, targetLen: 1 }), B, Ts };
    }
    if (this.crossBatch.length === 0) {
      this.crossBatch = Array.from({ length: L }, (_, l) => Tensor.empty(this.ctx, [this.maxRows * this.shape.maxT * 2 * C], 'f32', `seq2seq.batch.crossBatch${l}`));
    }
    const g = this.encoder.graph;
    const ids = new Uint32Array(B * Ts); // past each row's length: id 0, masked by kvLen
    sources.forEach((s, b) => ids.set(s, b * Ts));
    g.inputs.input_ids.write(ids);
    g.inputs.kvLen.write(Uint32Array.from(sources, (s) => s.length));
    g.inputs.decoder_input_ids.write(Uint32Array.from(sources, (s) => s[0]));
    g.inputs.labels.write(new Uint32Array(B).fill(IGNORE));
    const rec = new Recorder(this.ctx);
    try {
      g.forward(rec, false);
      this.layerParams.forEach((p, l) => linearForward(rec, this.crossBatch[l].view([B * Ts, 2 * C], 0), g.encoderHidden, p.cross!.kv.p, { label: 'seq2seq.batch.cross.kv' })); // [B·Ts, 2C]
      await rec.run();
    } finally {
      rec.destroy();
    }
    const enc = this.ctx.device.createCommandEncoder();
    sources.forEach((s, b) => {
      const slot = this.slots[b];
      this.ctx.device.queue.writeBuffer(slot.src.buffer, slot.src.byteOffset, Uint32Array.of(s.length));
      for (let l = 0; l < L; l++) {
        const from = this.crossBatch[l];
        enc.copyBufferToBuffer(from.buffer, from.byteOffset + b * Ts * 2 * C * 4, slot.cross.buffer, slot.cross.byteOffset + l * this.crossLayerBytes, s.length * 2 * C * 4);
      }
    });
    this.ctx.device.queue.submit([enc.finish()]);
  }

  /** The greedy output of every source (ids, specials included, as training framed them), in order. */
  async greedy(sources: readonly (readonly number[])[], o: BatchGreedyOptions): Promise<Hypothesis[]> {
    const maxT = this.shape.maxT;
    if (!Number.isInteger(o.maxLength) || o.maxLength < 1) throw new Error(`decode: maxLength must be a whole number >= 1; got ${o.maxLength}`);
    if (o.maxLength + 1 > maxT) throw new Error(`maxLength ${o.maxLength} needs ${o.maxLength + 1} decoder positions; the model has ${maxT}`);
    sources.forEach((s, i) => {
      if (s.length < 1) throw new Error(`seq2seq decoding: source ${i} is empty`);
      if (s.length > maxT) throw new Error(`seq2seq decoding: source ${i} is ${s.length} tokens with [CLS] and [SEP]; the model reads at most ${maxT}`);
    });
    const out: Hypothesis[] = [];
    for (let at = 0; at < sources.length; at += this.maxRows) out.push(...(await this.batch(sources.slice(at, at + this.maxRows), o)));
    return out;
  }

  private async batch(sources: readonly (readonly number[])[], o: BatchGreedyOptions): Promise<Hypothesis[]> {
    const B = sources.length;
    if (B === 0) return [];
    this.ensureSlots(B);
    await this.encode(sources);
    const V = decoderVocabSize(this.config);
    const rows = sources.map(() => ({ tokens: [] as number[], score: 0, done: false }));
    const staging = this.staging!;
    const floats = this.slots.length * this.logitsStride;
    for (let pos = 0; pos < o.maxLength && rows.some((r) => !r.done); pos++) {
      if (this.ctx.lostReason) throw new Error(this.ctx.lostReason);
      const encoder = this.ctx.device.createCommandEncoder();
      rows.forEach((r, b) => {
        if (r.done) return;
        const slot = this.slots[b];
        // Queue order puts this write after the previous replay and before this one.
        this.ctx.device.queue.writeBuffer(slot.step.buffer, slot.step.byteOffset, Uint32Array.of(pos, 1, pos === 0 ? o.start : r.tokens[pos - 1]));
        slot.trace.encode(encoder);
      });
      encoder.copyBufferToBuffer(this.logits!.buffer, this.logits!.byteOffset, staging, 0, floats * 4);
      this.ctx.device.queue.submit([encoder.finish()]);
      await staging.mapAsync(MapMode.READ);
      const host = new Float32Array(staging.getMappedRange(0, floats * 4).slice(0));
      staging.unmap();
      rows.forEach((r, b) => {
        if (r.done) return;
        // As greedySearch: log-softmax in float64, the first of equal maxima.
        const lp = logSoftmax(host.subarray(b * this.logitsStride, b * this.logitsStride + V));
        let best = 0;
        for (let v = 1; v < lp.length; v++) if (lp[v] > lp[best]) best = v;
        r.tokens.push(best);
        r.score += lp[best];
        if (best === o.eos) r.done = true;
      });
    }
    return rows.map((r) => ({ tokens: r.tokens, score: r.score, normalized: r.score / r.tokens.length }));
  }

  destroy(): void {
    for (const s of this.slots) {
      s.trace.destroy();
      for (const t of [s.k, s.v, s.cross, s.src, s.step]) t.destroy();
    }
    this.slots.length = 0;
    this.encoder?.graph.destroy();
    this.encoder = null;
    for (const t of [...this.owned, ...this.crossBatch]) t.destroy();
    this.crossBatch = [];
    this.logits?.destroy();
    this.staging?.destroy();
    if (this.ownsParams) this.params.destroy();
  }
}
