// The attention inspection path: a forward pass of a model over a few sentences with every
// layer's attention probabilities kept, read back as [heads, t, t] per sentence and layer.
// Separate from training: it owns its parameter copy and activations, so it never disturbs a
// running step (WebGPU orders its queue, so the two interleave safely on one device).
import type { GpuContext } from '../gpu/device';
import { Recorder } from '../gpu/kernel';
import { Tensor } from '../gpu/tensor';
import type { ModelConfig } from '../model/config';
import { BertGraph } from '../model/bert';
import { GptGraph } from '../model/gpt';
import { buildParamLayout, type ParamLayout } from '../model/params';
import { readAttentionProbs } from '../ops/attention';

/** Attention of one sentence: per layer, probabilities [heads, t, t] row-major (row = query). */
export interface SentenceAttention {
  ids: number[];
  layers: Float32Array[];
}

/** Targets at or past the vocabulary are ignored by the losses the forward pass also computes. */
const IGNORE = 0xffffffff;

type InspectGraph = GptGraph | BertGraph;

export class AttentionInspector {
  readonly layout: ParamLayout;
  private readonly params: Tensor;
  private graph: { graph: InspectGraph; B: number; T: number } | null = null;

  constructor(
    readonly ctx: GpuContext,
    readonly config: ModelConfig,
  ) {
    if (config.kind !== 'decoder' && config.kind !== 'encoder') {
      throw new Error(`attention inspection: '${config.kind}' models have no inspection path yet (decoder and encoder only)`);
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
    const graph = this.graphFor(B, T);
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
    // Every head's labels (the layout's default heads: LM, or MLM and NSP) are ignored.
    for (const head of graph.heads) for (const t of Object.values(head.inputs)) t.write(new Uint32Array(t.numel).fill(IGNORE));
    const rec = new Recorder(this.ctx);
    try {
      graph.forward(rec, false);
      await rec.run();
    } finally {
      rec.destroy();
    }
    const out: SentenceAttention[] = rows.map((ids) => ({ ids: [...ids], layers: [] }));
    for (let l = 0; l < L; l++) {
      for (let b = 0; b < B; b++) {
        const full = await readAttentionProbs(graph.probs(l), { B, H, Tq: T, Tk: T }, b);
        out[b].layers.push(cropHeads(full, H, T, rows[b].length));
      }
    }
    return out;
  }

  private graphFor(B: number, T: number): InspectGraph {
    if (this.graph && this.graph.B === B && this.graph.T === T) return this.graph.graph;
    this.graph?.graph.destroy();
    // No backward pass is ever recorded here, so the parameter tensor can stand in for the
    // gradient buffer the graph's constructor wants (only views are taken of it).
    const shape = { batchSize: B, seqLen: T };
    const graph = this.config.kind === 'decoder' ? new GptGraph(this.ctx, this.layout, this.params, this.params, shape) : new BertGraph(this.ctx, this.layout, this.params, this.params, shape);
    this.graph = { graph, B, T };
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
  if (t === T) return full;
  const out = new Float32Array(H * t * t);
  for (let h = 0; h < H; h++) {
    for (let i = 0; i < t; i++) out.set(full.subarray(h * T * T + i * T, h * T * T + i * T + t), h * t * t + i * t);
  }
  return out;
}
