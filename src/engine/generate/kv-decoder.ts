// A GPT (decoder-only, pre-LN) that keeps a key/value cache on the GPU and is fed a few tokens at
// a time, returning the logits after the last one. Two traces are recorded once, over the same
// buffers: `step` (1 row: the per-token decode) and `prefill` (up to R rows: the prompt, in
// chunks). Before each replay the host writes the step buffer u32 [pos0, nRows, tokens[R]];
// nothing is allocated per token and only the logits row [V] is read back.
//
// The layers are model/layers/decode-layer.ts over the training graph's LayerParams; this file
// binds them and adds the ends: x = wte[tokens] + wpe[pos] before, logits = ln_f(x[last]) wteᵀ
// (or lm_head) after. Cache layout: per layer K, V [H, maxT, D].
import type { GpuContext } from '../gpu/device';
import { BufferUsage, MapMode } from '../gpu/flags';
import { Recorder } from '../gpu/kernel';
import { alignOffset, Tensor } from '../gpu/tensor';
import type { ModelConfig } from '../model/config';
import { gptLayerTensors } from '../model/gpt';
import { type DecodeActs, type DecodeShape, decodeRows, type KvCache, layerDecode } from '../model/layers/decode-layer';
import type { LayerParams } from '../model/layers/transformer-layer';
import type { Linear, Norm } from '../model/views';
import { decodeEmbed, decodeLayernorm, decodeMatvec, STEP_HEADER } from '../ops/decode';
import type { DecoderWeights } from './weights';

export interface KvDecoderOptions {
  /** Rows of the prefill trace: prompt tokens processed per replay (default min(blockSize, 64)). */
  prefillRows?: number;
  /** destroy() also destroys the weights (set by loadDecoder, which uploaded them). */
  ownsWeights?: boolean;
}

export class KvDecoder {
  readonly config: ModelConfig;
  /** Positions the cache holds: the model's blockSize. */
  readonly maxT: number;
  readonly prefillRows: number;
  /** Tokens currently in the cache (the next token goes to this position). */
  length = 0;

  private readonly stepTrace: Recorder;
  private readonly prefillTrace: Recorder;
  private readonly stepBuf: Tensor;
  private readonly stepHost: Uint32Array;
  private readonly logits: Tensor;
  private readonly staging: GPUBuffer;
  private readonly logitsHost: Float32Array;
  private readonly owned: Tensor[] = [];
  private readonly ownsWeights: boolean;

  constructor(
    readonly ctx: GpuContext,
    readonly weights: DecoderWeights,
    options: KvDecoderOptions = {},
  ) {
    const cfg = (this.config = weights.config);
    this.ownsWeights = options.ownsWeights ?? false;
    if (cfg.kind !== 'decoder' || cfg.norm !== 'pre') {
      throw new Error(`KvDecoder: only pre-LN decoder (GPT) models decode with a KV cache, got kind '${cfg.kind}', norm '${cfg.norm}'`);
    }
    const { nEmbd: C, nHead: H, ffWidth: F, vocabSize: V, blockSize: maxT, nLayer: L } = cfg;
    const D = C / H;
    this.maxT = maxT;
    const R = (this.prefillRows = options.prefillRows ?? Math.min(maxT, 64));
    if (!(Number.isInteger(R) && R >= 1 && R <= maxT)) throw new Error(`KvDecoder: prefillRows must be in [1, ${maxT}], got ${R}`);

    const need = (name: string, numel: number): Tensor => {
      const t = weights.get(name);
      if (!t) throw new Error(`KvDecoder: parameter '${name}' is missing`);
      if (t.numel !== numel) throw new Error(`KvDecoder: parameter '${name}' has shape [${t.shape}], expected ${numel} values`);
      return t;
    };
    const optional = (name: string, numel: number): Tensor | null => (cfg.bias ? need(name, numel) : null);
    const empty = (shape: number[], label: string, dtype: 'f32' | 'u32' = 'f32'): Tensor => {
      const t = Tensor.empty(ctx, shape, dtype, label);
      this.owned.push(t);
      return t;
    };

    const maxBinding = ctx.limits.maxStorageBufferBindingSize;
    const cacheLayerBytes = alignOffset(H * maxT * D * 4);
    if (cacheLayerBytes > maxBinding || R * H * maxT * 4 > maxBinding) {
      throw new Error(`KvDecoder: a cache of ${maxT} positions × ${C} floats exceeds maxStorageBufferBindingSize ${maxBinding}`);
    }
    // The token table and the tied head are read in row ranges (ops/decode.ts); the layers' weights
    // are bound whole: one past the limit cannot be read by these kernels, so say which one now,
    // not with a validation error later.
    const largest: [string, number][] = [['transformer.wpe.weight', maxT * C], ['mlp.c_fc.weight', C * F], ['attn.c_attn.weight', 3 * C * C]];
    const size = (bytes: number) => (bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`);
    for (const [name, numel] of largest) {
      if (numel * 4 > maxBinding) {
        throw new Error(`KvDecoder: ${name} is ${size(numel * 4)}, past this adapter's maxStorageBufferBindingSize of ${size(maxBinding)} (a layer's weights are bound whole)`);
      }
    }
    this.stepBuf = empty([STEP_HEADER + R], 'decode.step', 'u32');
    this.stepHost = new Uint32Array(STEP_HEADER + R);
    const acts: DecodeActs = {
      x: empty([R, C], 'decode.x'),
      xn: empty([R, C], 'decode.xn'),
      qkv: empty([R, 3 * C], 'decode.qkv'),
      att: empty([R, C], 'decode.att'),
      hidden: empty([R, F], 'decode.mlp'),
      scores: empty([R, H, maxT], 'decode.scores'),
    };
    const xf = empty([1, C], 'decode.xf');
    this.logits = empty([V], 'decode.logits');
    const cacheFloats = (L * cacheLayerBytes) / 4;
    const kAll = empty([cacheFloats], 'decode.kcache');
    const vAll = empty([cacheFloats], 'decode.vcache');
    this.staging = ctx.createBuffer({ label: 'decode.logits.staging', size: alignOffset(V * 4, 4), usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    this.logitsHost = new Float32Array(V);

    // The training graph's LayerParams, bound by the same names (gptLayerTensors) from `weights`.
    const zeros = cfg.bias ? null : empty([C], 'decode.noBias');
    const norm = (prefix: string): Norm => ({ g: need(`${prefix}.weight`, C), b: optional(`${prefix}.bias`, C) ?? zeros! });
    const linear = (prefix: string, K: number, N: number): Linear => ({ p: { w: need(`${prefix}.weight`, K * N), b: optional(`${prefix}.bias`, N) ?? undefined, form: 'in_out' }, d: {} });
    const layers = Array.from({ length: L }, (_, l) => {
      const n = gptLayerTensors(l);
      const p: LayerParams = { ln1: norm(n.ln1), qkv: linear(n.qkv, C, 3 * C), attnOut: linear(n.attnOut, C, C), ln2: norm(n.ln2), fc: linear(n.fc, C, F), fcOut: linear(n.fcOut, F, C) };
      const cache: KvCache = { k: kAll.view([H, maxT, D], l * cacheLayerBytes), v: vAll.view([H, maxT, D], l * cacheLayerBytes) };
      return { p, cache };
    });
    const wte = need('transformer.wte.weight', V * C);
    const wpe = need('transformer.wpe.weight', maxT * C);
    const lnf = norm('transformer.ln_f');
    const head = cfg.tiedEmbeddings ? wte : need('lm_head.weight', V * C);
    const shape: DecodeShape = { C, H, F, maxT, eps: cfg.layerNormEps, gelu: cfg.activation };
    const step = this.stepBuf;

    // x = wte[tokens] + wpe[pos]; x = layer(x) for each layer; logits = ln_f(x[last]) headᵀ
    const record = (rows: number): Recorder => {
      const rec = new Recorder(ctx);
      const a = decodeRows(acts, rows, shape);
      decodeEmbed(rec, a.x, step, wte, wpe, rows, C);
      layers.forEach(({ p, cache }, l) => layerDecode(rec, p, a, cache, step, rows, shape, cfg.bias, `h${l}`));
      decodeLayernorm(rec, xf, step, a.x, lnf.g, cfg.bias ? lnf.b : null, rows, C, shape.eps, true);
      decodeMatvec(rec, this.logits, step, xf, head, 'nk', 1, C, V);
      return rec;
    };
    this.stepTrace = record(1);
    this.prefillTrace = R > 1 ? record(R) : this.stepTrace;
  }

  /** Forgets every cached position (the buffers stay; stale entries are never read). */
  reset(): void {
    this.length = 0;
  }

  /**
   * Forgets the cached positions from `length` on, keeping the prefix before it: scoring several
   * continuations of one prompt feeds the prompt once and rewinds to it before each (attention
   * reads positions below the row's own only, so the stale entries past it are never read).
   */
  rewind(length: number): void {
    if (!(Number.isInteger(length) && length >= 0 && length <= this.length)) throw new Error(`KvDecoder.rewind: ${length} is not within the ${this.length} cached positions`);
    this.length = length;
  }

  /**
   * Appends `tokens` at positions length, length+1, … and returns the logits [V] that predict the
   * token after the last one. The returned array is reused: the next call overwrites it. One call
   * at a time: await it before the next (the logits staging buffer is mapped in between).
   */
  async feed(tokens: readonly number[]): Promise<Float32Array> {
    const n = tokens.length;
    if (n === 0) throw new Error('KvDecoder.feed: no tokens');
    if (this.length + n > this.maxT) {
      throw new Error(`KvDecoder.feed: ${this.length} cached + ${n} new tokens exceed the context of ${this.maxT} (blockSize)`);
    }
    const V = this.config.vocabSize;
    for (const t of tokens) if (!(Number.isInteger(t) && t >= 0 && t < V)) throw new Error(`KvDecoder.feed: token id ${t} is outside the vocabulary [0, ${V})`);
    for (let start = 0; start < n; ) {
      const rows = n - start === 1 ? 1 : Math.min(this.prefillRows, n - start);
      const last = start + rows === n;
      this.submit(rows === 1 ? this.stepTrace : this.prefillTrace, tokens, start, rows, last);
      start += rows;
    }
    await this.staging.mapAsync(MapMode.READ);
    this.logitsHost.set(new Float32Array(this.staging.getMappedRange(0, V * 4)));
    this.staging.unmap();
    if (this.ctx.lostReason) throw new Error(this.ctx.lostReason);
    return this.logitsHost;
  }

  private submit(trace: Recorder, tokens: readonly number[], start: number, rows: number, readLogits: boolean): void {
    if (this.ctx.lostReason) throw new Error(this.ctx.lostReason);
    const host = this.stepHost;
    host[0] = this.length;
    host[1] = rows;
    for (let i = 0; i < rows; i++) host[STEP_HEADER + i] = tokens[start + i];
    // Queue order puts this write after the previous replay and before this one.
    this.ctx.device.queue.writeBuffer(this.stepBuf.buffer, this.stepBuf.byteOffset, host.buffer, 0, (STEP_HEADER + rows) * 4);
    const encoder = this.ctx.device.createCommandEncoder();
    trace.encode(encoder);
    if (readLogits) encoder.copyBufferToBuffer(this.logits.buffer, 0, this.staging, 0, this.logitsHost.byteLength);
    this.ctx.device.queue.submit([encoder.finish()]);
    this.length += rows;
  }

  destroy(): void {
    this.stepTrace.destroy();
    if (this.prefillTrace !== this.stepTrace) this.prefillTrace.destroy();
    for (const t of this.owned) t.destroy();
    this.staging.destroy();
    if (this.ownsWeights) this.weights.destroy();
  }
}
