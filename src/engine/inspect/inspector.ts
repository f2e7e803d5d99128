// The attention inspection path: a forward pass of a model over a few sentences with every
// layer's attention probabilities kept, read back as [heads, t, t] per sentence and layer; for an
// encoder-decoder, over (source, decoder input) pairs: encoder self [heads, ts, ts], decoder self
// [heads, tt, tt] and cross-attention [heads, tt, ts] (decoder queries × encoder keys).
// Separate from training: it owns its parameter copy and activations, so it never disturbs a
// running step (WebGPU orders its queue, so the two interleave safely on one device).
import type { GpuContext } from '../gpu/device';
import { inferenceForward } from './inference';
import { Tensor } from '../gpu/tensor';
import type { ModelConfig } from '../model/config';
import { BartGraph } from '../model/bart';
import { BertGraph } from '../model/bert';
import { GptGraph } from '../model/gpt';
import { buildParamLayout, type ParamLayout } from '../model/params';
import { readAttentionProbs } from '../ops/attention';

/** Attention of one sentence: per layer, probabilities [heads, t, t] row-major (row = query). */
export interface SentenceAttention {
  ids: number[];
  layers: Float32Array[];
}

/** Attention of one (source, decoder input) pair of an encoder-decoder: per layer, each part. */
export interface PairAttention {
  source: number[];
  target: number[];
  /** Encoder self-attention [heads, ts, ts]. */
  encoder: Float32Array[];
  /** Decoder self-attention [heads, tt, tt] (causal). */
  decoder: Float32Array[];
  /** Cross-attention [heads, tt, ts]: each decoder position over the encoder's tokens. */
  cross: Float32Array[];
}

/** Targets at or past the vocabulary are ignored by the losses the forward pass also computes. */

type InspectGraph = GptGraph | BertGraph | BartGraph;

export class AttentionInspector {
  readonly layout: ParamLayout;
  private readonly params: Tensor;
  private graph: { graph: InspectGraph; B: number; T: number; Tt: number } | null = null;

  constructor(
    readonly ctx: GpuContext,
    readonly config: ModelConfig,
  ) {
    if (config.kind === 'encoder-decoder' && config.norm !== 'post') {
      throw new Error(`attention inspection: only post-LN (BART-shaped) encoder-decoders have an inspection path`);
    }
    this.layout = buildParamLayout(config);
    this.params = Tensor.empty(ctx, [this.layout.totalFloats], 'f32', 'inspect.params');
  }

  /** Uploads a flat parameter vector (the layout of buildParamLayout(config)). */
  setParams(flat: Float32Array): void {
    if (flat.length !== this.layout.totalFloats) {
      throw new Error(`attention inspection: ${flat.length} parameters given, the model has ${this.layout.totalFloats}`);
    }
    this.params.write(flat);
  }

  /**
   * Runs the sentences (token ids, each cut to the context length) as one batch. Shorter ones are
   * padded at the end: a causal model's earlier positions never see the padding, and an encoder
   * masks keys past each row's length, so each sentence's [t, t] block is what it would get
   * alone. `typeIds` are the encoder's segment ids (default 0).
   */
  async inspect(sentences: readonly (readonly number[])[], typeIds?: readonly (readonly number[])[]): Promise<SentenceAttention[]> {
    const { blockSize, nHead: H, nLayer: L } = this.config;
    const rows = sentences.map((ids) => ids.slice(0, blockSize));
    if (rows.length === 0 || rows.some((r) => r.length === 0)) throw new Error('attention inspection: every sentence needs at least one token');
    const B = rows.length;
    const T = Math.max(...rows.map((r) => r.length));
    if (this.config.kind === 'encoder-decoder') throw new Error('attention inspection: an encoder-decoder reads (source, target) pairs: use inspectPairs');
    const graph = this.graphFor(B, T, T);
    if (graph instanceof BartGraph) throw new Error('attention inspection: unreachable');
    const idx = new Uint32Array(B * T);
    rows.forEach((r, b) => idx.set(r, b * T));
    if (graph instanceof GptGraph) {
      graph.idx.write(idx);
    } else {
      const types = new Uint32Array(B * T);
      typeIds?.forEach((r, b) => types.set(r.slice(0, rows[b].length), b * T));
      graph.ids.write(idx);
      graph.types.write(types);
      graph.kvLen.write(Uint32Array.from(rows, (r) => r.length));
    }
    await inferenceForward(this.ctx, graph);
    const out: SentenceAttention[] = rows.map((ids) => ({ ids: [...ids], layers: [] }));
    for (let l = 0; l < L; l++) {
      for (let b = 0; b < B; b++) {
        const full = await readAttentionProbs(graph.probs(l), { B, H, Tq: T, Tk: T }, b);
        out[b].layers.push(cropHeads(full, H, T, rows[b].length));
      }
    }
    return out;
  }

  /**
   * An encoder-decoder over (source, decoder input) pairs, as one batch: sources padded at the end
   * behind the key-padding mask (kvLen), decoder inputs padded at the end (causal: earlier
   * positions never see the padding), so each pair's blocks are what it would get alone.
   */
  async inspectPairs(pairs: readonly { source: readonly number[]; target: readonly number[] }[]): Promise<PairAttention[]> {
    if (this.config.kind !== 'encoder-decoder') throw new Error(`attention inspection: inspectPairs is for encoder-decoders; this model is a${this.config.kind === 'encoder' ? 'n' : ''} ${this.config.kind}`);
    const { blockSize, nHead: H, nLayer: L } = this.config;
    const rows = pairs.map((p) => ({ source: p.source.slice(0, blockSize), target: p.target.slice(0, blockSize) }));
    if (rows.length === 0 || rows.some((r) => r.source.length === 0 || r.target.length === 0)) {
      throw new Error('attention inspection: every pair needs at least one source and one decoder token');
    }
    const B = rows.length;
    const Ts = Math.max(...rows.map((r) => r.source.length));
    const Tt = Math.max(...rows.map((r) => r.target.length));
    const graph = this.graphFor(B, Ts, Tt);
    if (!(graph instanceof BartGraph)) throw new Error('attention inspection: unreachable');
    const src = new Uint32Array(B * Ts);
    const dec = new Uint32Array(B * Tt);
    rows.forEach((r, b) => { src.set(r.source, b * Ts); dec.set(r.target, b * Tt); });
    graph.inputs.input_ids.write(src);
    graph.inputs.decoder_input_ids.write(dec);
    graph.kvLen.write(Uint32Array.from(rows, (r) => r.source.length));
    await inferenceForward(this.ctx, graph);
    const out: PairAttention[] = rows.map((r) => ({ source: [...r.source], target: [...r.target], encoder: [], decoder: [], cross: [] }));
    for (let l = 0; l < L; l++) {
      for (let b = 0; b < B; b++) {
        const ts = rows[b].source.length, tt = rows[b].target.length;
        out[b].encoder.push(cropBlock(await readAttentionProbs(graph.probs('encoder', l), { B, H, Tq: Ts, Tk: Ts }, b), H, Ts, Ts, ts, ts));
        out[b].decoder.push(cropBlock(await readAttentionProbs(graph.probs('decoder', l), { B, H, Tq: Tt, Tk: Tt }, b), H, Tt, Tt, tt, tt));
        out[b].cross.push(cropBlock(await readAttentionProbs(graph.probs('cross', l), { B, H, Tq: Tt, Tk: Ts }, b), H, Tt, Ts, tt, ts));
      }
    }
    return out;
  }

  private graphFor(B: number, T: number, Tt: number): InspectGraph {
    if (this.graph && this.graph.B === B && this.graph.T === T && this.graph.Tt === Tt) return this.graph.graph;
    this.graph?.graph.destroy();
    // No backward pass is ever recorded here, so the parameter tensor can stand in for the
    // gradient buffer the graph's constructor wants (only views are taken of it).
    const shape = { batchSize: B, seqLen: T };
    const { ctx, layout, params } = this;
    const graph =
      this.config.kind === 'decoder' ? new GptGraph(ctx, layout, params, params, shape)
        : this.config.kind === 'encoder' ? new BertGraph(ctx, layout, params, params, shape)
          : new BartGraph(ctx, layout, params, params, { ...shape, targetLen: Tt });
    this.graph = { graph, B, T, Tt };
    return graph;
  }

  destroy(): void {
    this.graph?.graph.destroy();
    this.graph = null;
    this.params.destroy();
  }
}

/** [H, T, T] → [H, t, t]: the top-left block of each head (the sentence without padding). */
export function cropHeads(full: Float32Array, H: number, T: number, t: number): Float32Array {
  return cropBlock(full, H, T, T, t, t);
}

/** [H, Tq, Tk] → [H, tq, tk]: the top-left block of each head (queries and keys without padding). */
export function cropBlock(full: Float32Array, H: number, Tq: number, Tk: number, tq: number, tk: number): Float32Array {
  if (tq === Tq && tk === Tk) return full;
  const out = new Float32Array(H * tq * tk);
  for (let h = 0; h < H; h++) {
    for (let i = 0; i < tq; i++) out.set(full.subarray(h * Tq * Tk + i * Tk, h * Tq * Tk + i * Tk + tk), h * tq * tk + i * tk);
  }
  return out;
}
