// An encoder-decoder (BART, post-LN) that decodes with caches, for seq2seq-search.ts:
//   encode once:  e = encoder(source) (the training graph's encoder, BartGraph, forward only);
//                 per decoder layer, cross[l] = e W_kv + b [Ts, 2C], kept for the whole search
//   per token:    y = LN_emb(E[token] + Pd[pos]); y = postLayerDecode(y) for each layer, which
//                 appends its self-attention k, v to the slot's cache and attends over cross[l];
//                 logits = y Eᵀ (tied) or y lm_headᵀ, E the decoder's token table (the target
//                 vocabulary's when source and target have their own: params.ts tokenTables)
// A search asks for the next-token distribution of a list of prefixes (its beams). Each beam lives
// in a cache slot (its own self-attention K/V for every layer, and a trace recorded once over
// them); a beam that extends a beam of the last call takes over its slot, and the second and later
// children of one parent get a free slot with the parent's cache copied in (copyBufferToBuffer),
// so only the new token runs through the decoder. Cross K/V are shared by every slot. Each slot
// has its own step buffer, so one command buffer carries every beam's token (and the logits
// read-back): one submit per search step, not one per beam.
// seq2seq-forward.ts (the whole graph rerun each step, no cache) is the reference it is tested
// against (tests/unit/generate/seq2seq-decoder.test.ts).
import type { GpuContext } from '../gpu/device';
import { BufferUsage, MapMode } from '../gpu/flags';
import { Recorder } from '../gpu/kernel';
import { alignOffset, Tensor } from '../gpu/tensor';
import { bartLayerParams, BartGraph } from '../model/bart';
import { linearForward } from '../model/blocks';
import { decoderVocabSize, type ModelConfig } from '../model/config';
import { type CrossCache, type DecodeActs, type DecodeShape, type KvCache, postLayerDecode } from '../model/layers/decode-layer';
import type { LayerParams } from '../model/layers/transformer-layer';
import { buildParamLayout, type ParamLayout, tokenTables } from '../model/params';
import { ParamViews } from '../model/views';
import { decodeEmbed, decodeLayernorm, decodeMatvec, STEP_HEADER } from '../ops/decode';
import type { Seq2SeqModel } from './seq2seq-forward';
import { logSoftmax, type NextLogProbs } from './seq2seq-search';

const IGNORE = 0xffffffff;

/** One beam's place: its self-attention cache (all layers) and the trace that decodes into it. */
interface Slot {
  k: Tensor;
  v: Tensor;
  /** u32 [pos, 1, token]: this slot's step header, written before each replay. */
  step: Tensor;
  trace: Recorder;
  /** Tokens in the cache (prefix[0] is the decoder start token). */
  tokens: number[];
}

/** One token's activations of a decode step, reused by every step and slot. */
export function decodeActs(empty: (shape: number[], label: string) => Tensor, s: DecodeShape, prefix: string): DecodeActs {
  return {
    x: empty([1, s.C], `${prefix}.x`),
    xn: empty([1, s.C], `${prefix}.xn`),
    qkv: empty([1, 3 * s.C], `${prefix}.qkv`),
    att: empty([1, s.C], `${prefix}.att`),
    hidden: empty([1, s.F], `${prefix}.mlp`),
    scores: empty([1, s.H, s.maxT], `${prefix}.scores`),
  };
}

/** A slot's self-attention caches: per layer, views of its one K and one V buffer. */
export function layerCaches(k: Tensor, v: Tensor, s: DecodeShape, nLayer: number, layerBytes: number): KvCache[] {
  const D = s.C / s.H;
  return Array.from({ length: nLayer }, (_, l) => ({ k: k.view([s.H, s.maxT, D], l * layerBytes), v: v.view([s.H, s.maxT, D], l * layerBytes) }));
}

/**
 * The parameters a KV-cache decoder reads: a flat vector uploaded to a buffer it owns, or a live
 * parameter tensor of `layout` that is only read (a training run's, for its probes).
 */
export function decoderParams(ctx: GpuContext, config: ModelConfig, weights: Float32Array | Tensor, layout: ParamLayout | undefined, who: string): { layout: ParamLayout; params: Tensor; ownsParams: boolean } {
  if (config.kind !== 'encoder-decoder' || config.norm !== 'post') {
    throw new Error(`${who}: only post-LN encoder-decoders (BART) decode with a KV cache, got kind '${config.kind}', norm '${config.norm}'`);
  }
  const l = layout ?? buildParamLayout(config);
  if (!(weights instanceof Float32Array)) return { layout: l, params: weights, ownsParams: false };
  if (weights.length !== l.totalFloats) throw new Error(`${who}: ${weights.length} parameters given, the model has ${l.totalFloats}`);
  const params = Tensor.empty(ctx, [l.totalFloats], 'f32', `${who}.params`);
  params.write(weights);
  return { layout: l, params, ownsParams: true };
}

export class Seq2SeqDecoder implements Seq2SeqModel {
  readonly layout: ParamLayout;
  /** Positions the self-attention caches and the cross cache hold: the model's blockSize. */
  readonly maxT: number;
  private readonly params: Tensor;
  private readonly ownsParams: boolean;
  private readonly owned: Tensor[] = [];
  private readonly slots: Slot[] = [];
  private readonly acts: DecodeActs;
  private readonly shape: DecodeShape;
  private readonly layers: { p: LayerParams; cross: CrossCache }[];
  private readonly src: Tensor;
  private logits: Tensor | null = null;
  private readonly views: ParamViews;
  /** Floats between two slots' logits rows (256-byte aligned: each row is bound on its own). */
  private readonly logitsStride: number;
  private staging: GPUBuffer | null = null;
  private readonly cacheLayerBytes: number;
  private encoder: { graph: BartGraph; Ts: number } | null = null;
  /** Which nextFor closure the caches belong to: another one encodes its source again. */
  private owner: object | null = null;

  /**
   * `weights`: a flat parameter vector (uploaded to a buffer this object owns), or a live
   * parameter tensor of `layout` that is only read (a training run's, for its probes).
   */
  constructor(readonly ctx: GpuContext, readonly config: ModelConfig, weights: Float32Array | Tensor, layout?: ParamLayout) {
    ({ layout: this.layout, params: this.params, ownsParams: this.ownsParams } = decoderParams(ctx, config, weights, layout, 'Seq2SeqDecoder'));
    const { nEmbd: C, nHead: H, ffWidth: F, blockSize: maxT, nLayer: L } = config;
    const V = decoderVocabSize(config);
    const D = C / H;
    this.maxT = maxT;
    this.shape = { C, H, F, maxT, eps: config.layerNormEps, gelu: config.activation };
    this.cacheLayerBytes = alignOffset(H * maxT * D * 4);
    const maxBinding = ctx.limits.maxStorageBufferBindingSize;
    if (this.cacheLayerBytes > maxBinding) throw new Error(`Seq2SeqDecoder: a cache of ${maxT} positions × ${C} floats exceeds maxStorageBufferBindingSize ${maxBinding}`);
    const empty = (shape: number[], label: string, dtype: 'f32' | 'u32' = 'f32'): Tensor => {
      const t = Tensor.empty(ctx, shape, dtype, label);
      this.owned.push(t);
      return t;
    };
    this.src = empty([1], 'seq2seq.decoder.src', 'u32');
    this.acts = decodeActs(empty, this.shape, 'seq2seq.decoder');
    this.logitsStride = alignOffset(V * 4) / 4;
    const zeros = empty([C], 'seq2seq.decoder.noBias');
    const v = (this.views = new ParamViews(this.layout, this.params, this.params, { zeros, junk: zeros }));
    const crossBytes = alignOffset(maxT * 2 * C * 4);
    const crossAll = empty([(L * crossBytes) / 4], 'seq2seq.decoder.cross');
    this.layers = Array.from({ length: L }, (_, l) => ({
      p: bartLayerParams(v, 'decoder', l),
      cross: { kv: crossAll.view([maxT, 2 * C], l * crossBytes), src: this.src },
    }));
  }

  /** Slots (and their logits rows) for `n` beams; traces are recorded once per slot. */
  private ensureSlots(n: number): void {
    if (n <= this.slots.length) return;
    const L = this.config.nLayer;
    const V = decoderVocabSize(this.config);
    // The logits rows of every slot sit in one buffer, read back with one copy.
    this.logits?.destroy();
    const logits = (this.logits = Tensor.empty(this.ctx, [n * this.logitsStride], 'f32', 'seq2seq.decoder.logits'));
    this.staging?.destroy();
    this.staging = this.ctx.createBuffer({ label: 'seq2seq.decoder.logits.staging', size: n * this.logitsStride * 4, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    // Earlier slots' traces bound the old logits buffer: record them all again (caches kept).
    for (const s of this.slots) s.trace.destroy();
    const floats = (L * this.cacheLayerBytes) / 4;
    for (let i = 0; i < n; i++) {
      const s = this.slots[i] ?? {
        k: Tensor.empty(this.ctx, [floats], 'f32', `seq2seq.decoder.kcache${i}`),
        v: Tensor.empty(this.ctx, [floats], 'f32', `seq2seq.decoder.vcache${i}`),
        step: Tensor.empty(this.ctx, [STEP_HEADER + 1], 'u32', `seq2seq.decoder.step${i}`),
        tokens: [],
      };
      const caches = layerCaches(s.k, s.v, this.shape, L, this.cacheLayerBytes);
      this.slots[i] = { ...s, trace: this.record(caches, s.step, logits.view([V], i * this.logitsStride * 4)) };
    }
  }

  private record(caches: KvCache[], step: Tensor, logits: Tensor): Recorder {
    return recordDecodeToken(this.ctx, this.config, this.views, this.acts, this.shape, this.layers, caches, step, logits);
  }

  /** Runs the encoder over `source` (ids, specials included) and fills every layer's cross K/V. */
  private async encode(source: readonly number[]): Promise<void> {
    const Ts = source.length;
    const C = this.config.nEmbd;
    if (this.encoder?.Ts !== Ts) {
      this.encoder?.graph.destroy();
      // Forward only: the parameters stand in for the gradient buffer (only views are taken of it).
      // The graph's one-token decoder runs too; it is the price of reusing the training graph.
      this.encoder = { graph: new BartGraph(this.ctx, this.layout, this.params, this.params, { batchSize: 1, seqLen: Ts, targetLen: 1 }), Ts };
    }
    const g = this.encoder.graph;
    g.inputs.input_ids.write(Uint32Array.from(source));
    g.inputs.kvLen.write(Uint32Array.of(Ts));
    g.inputs.decoder_input_ids.write(Uint32Array.of(source[0]));
    g.inputs.labels.write(Uint32Array.of(IGNORE));
    this.src.write(Uint32Array.of(Ts));
    const rec = new Recorder(this.ctx);
    try {
      g.forward(rec, false);
      for (const { p, cross } of this.layers) linearForward(rec, cross.kv.view([Ts, 2 * C], 0), g.encoderHidden, p.cross!.kv.p, { label: 'seq2seq.decoder.cross.kv' }); // [Ts, 2C]
      await rec.run();
    } finally {
      rec.destroy();
    }
    for (const s of this.slots) s.tokens = [];
  }

  /** `next` for the search: the encoder reads `source` (ids, specials included) once; rows are prefixes. */
  nextFor(source: readonly number[], maxPrefix: number): NextLogProbs {
    const Ts = source.length;
    if (Ts < 1) throw new Error('seq2seq decoding: the source is empty');
    if (Ts > this.maxT) throw new Error(`the source is ${Ts} tokens with [CLS] and [SEP]; the model reads at most ${this.maxT}`);
    if (maxPrefix > this.maxT) throw new Error(`maxLength ${maxPrefix - 1} needs ${maxPrefix} decoder positions; the model has ${this.maxT}`);
    const me = {};
    return async (prefixes) => {
      if (this.owner !== me) {
        await this.encode(source);
        this.owner = me;
      }
      return this.next(prefixes, maxPrefix);
    };
  }

  private async next(prefixes: readonly (readonly number[])[], maxPrefix: number): Promise<Float64Array[]> {
    const V = decoderVocabSize(this.config);
    if (prefixes.length === 0) return [];
    for (const p of prefixes) {
      if (p.length < 1 || p.length > maxPrefix) throw new Error(`seq2seq decoding: a prefix of ${p.length} tokens is outside [1, ${maxPrefix}]`);
      for (const t of p) if (!(Number.isInteger(t) && t >= 0 && t < V)) throw new Error(`seq2seq decoding: token id ${t} is outside the vocabulary [0, ${V})`);
    }
    this.ensureSlots(prefixes.length);
    // Each prefix's parent: the slot holding its longest proper prefix. The first child keeps the
    // parent's slot; the others take slots no prefix kept, with the parent's cache copied in.
    const parentOf = prefixes.map((p) => {
      let best = -1;
      this.slots.forEach((s, i) => {
        if (s.tokens.length < p.length && (best < 0 || s.tokens.length > this.slots[best].tokens.length) && s.tokens.every((t, j) => t === p[j])) best = i;
      });
      return best;
    });
    const slotOf = new Array<number>(prefixes.length).fill(-1);
    const kept = new Set<number>();
    parentOf.forEach((parent, i) => {
      if (parent >= 0 && !kept.has(parent)) {
        kept.add(parent);
        slotOf[i] = parent;
      }
    });
    const free = this.slots.map((_, i) => i).filter((i) => !kept.has(i));
    const copies = new Array<number>(prefixes.length).fill(-1);
    slotOf.forEach((s, i) => {
      if (s >= 0) return;
      slotOf[i] = free.shift()!;
      copies[i] = parentOf[i];
    });
    const lengths = prefixes.map((_, i) => (slotOf[i] === parentOf[i] || copies[i] >= 0 ? this.slots[parentOf[i]].tokens.length : 0));
    // Copies first (in queue order, before any token is fed): sources are kept slots, targets free ones.
    if (copies.some((c) => c >= 0)) {
      const enc = this.ctx.device.createCommandEncoder();
      copies.forEach((from, i) => {
        if (from < 0) return;
        const a = this.slots[from], b = this.slots[slotOf[i]];
        enc.copyBufferToBuffer(a.k.buffer, a.k.byteOffset, b.k.buffer, b.k.byteOffset, a.k.numel * 4);
        enc.copyBufferToBuffer(a.v.buffer, a.v.byteOffset, b.v.buffer, b.v.byteOffset, a.v.numel * 4);
      });
      this.ctx.device.queue.submit([enc.finish()]);
    }
    // Feeding in rounds: round r gives every prefix with an r-th new token that token (a search
    // feeds one per beam: one round). Slots no prefix took hold nothing a later prefix can extend.
    const rounds = Math.max(...prefixes.map((p, i) => p.length - lengths[i]));
    const staging = this.staging!;
    const floats = this.slots.length * this.logitsStride;
    for (let r = 0; r < rounds; r++) {
      if (this.ctx.lostReason) throw new Error(this.ctx.lostReason);
      const encoder = this.ctx.device.createCommandEncoder();
      prefixes.forEach((p, i) => {
        const pos = lengths[i] + r;
        if (pos >= p.length) return;
        const slot = this.slots[slotOf[i]];
        // Queue order puts this write after the previous replay and before this one.
        this.ctx.device.queue.writeBuffer(slot.step.buffer, slot.step.byteOffset, Uint32Array.of(pos, 1, p[pos]));
        slot.trace.encode(encoder);
      });
      if (r === rounds - 1) encoder.copyBufferToBuffer(this.logits!.buffer, this.logits!.byteOffset, staging, 0, floats * 4);
      this.ctx.device.queue.submit([encoder.finish()]);
    }
    this.slots.forEach((s, i) => {
      const k = slotOf.indexOf(i);
      s.tokens = k >= 0 ? [...prefixes[k]] : [];
    });
    await staging.mapAsync(MapMode.READ);
    const host = new Float32Array(staging.getMappedRange(0, floats * 4).slice(0));
    staging.unmap();
    if (this.ctx.lostReason) throw new Error(this.ctx.lostReason);
    return prefixes.map((_, i) => logSoftmax(host.subarray(slotOf[i] * this.logitsStride, slotOf[i] * this.logitsStride + V)));
  }

  destroy(): void {
    for (const s of this.slots) {
      s.trace.destroy();
      s.step.destroy();
      s.k.destroy();
      s.v.destroy();
    }
    this.slots.length = 0;
    this.encoder?.graph.destroy();
    this.encoder = null;
    for (const t of this.owned) t.destroy();
    this.logits?.destroy();
    this.staging?.destroy();
    if (this.ownsParams) this.params.destroy();
  }
}

/**
 * One decoder token as a trace: y = LN_emb(E[token] + Pd[pos]); each layer (x and xn swap roles:
 * post-LN writes the other) appends to its self-attention cache and attends over its cross K/V;
 * logits = y Headᵀ. `step` holds [pos, 1, token]; the batched decoder (seq2seq-batch.ts) records
 * the same trace per row, over the row's own cross K/V.
 */
export function recordDecodeToken(
  ctx: GpuContext, cfg: ModelConfig, v: ParamViews, acts: DecodeActs, shape: DecodeShape,
  layers: readonly { p: LayerParams; cross: CrossCache }[], caches: readonly KvCache[], step: Tensor, logits: Tensor,
): Recorder {
  const { C, eps } = shape;
  const V = decoderVocabSize(cfg);
  const tokens = v.param(tokenTables(cfg).decoder);
  const head = cfg.tiedEmbeddings ? tokens : v.param('lm_head.weight');
  const lnEmb = v.norm('model.decoder.layernorm_embedding');
  const rec = new Recorder(ctx);
  decodeEmbed(rec, acts.x, step, tokens, v.param('model.decoder.embed_positions.weight'), 1, C);
  decodeLayernorm(rec, acts.xn, step, acts.x, lnEmb.g, cfg.bias ? lnEmb.b : null, 1, C, eps);
  let a: DecodeActs = { ...acts, x: acts.xn, xn: acts.x };
  layers.forEach(({ p, cross }, l) => {
    postLayerDecode(rec, p, a, caches[l], cross, step, 1, shape, cfg.bias, `dec${l}`);
    a = { ...a, x: a.xn, xn: a.x };
  });
  decodeMatvec(rec, logits, step, a.x, head, 'nk', 1, C, V);
  return rec;
}
