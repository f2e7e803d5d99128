// Contextual embeddings: the final hidden states of one sentence, from the same inference-only
// forward pass the attention inspector, fill-mask and seq2seq decoding run (the training graph, no
// backward ever recorded, every label ignored). GPT: h = ln_f(x) after the last block, each
// position seeing only its left context; BERT: the last post-LN layer's output, each position
// seeing the whole sentence; encoder-decoder (BART, T5 spans): the encoder's output over the
// sentence as the source, what the decoder cross-attends to (the decoder is fed one token and its
// states are not read: they would depend on a target the user has not given).
import type { GpuContext } from '../gpu/device';
import { inferenceForward } from './inference';
import { pinBuffer } from '../gpu/planner';
import { Tensor } from '../gpu/tensor';
import { BartGraph } from '../model/bart';
import { BertGraph } from '../model/bert';
import type { ModelConfig } from '../model/config';
import { GptGraph } from '../model/gpt';
import { buildParamLayout, type ParamLayout } from '../model/params';

/** Targets and labels at or past the vocabulary are ignored by the losses the forward also computes. */

export class HiddenStates {
  readonly layout: ParamLayout;
  private readonly params: Tensor;

  constructor(readonly ctx: GpuContext, readonly config: ModelConfig, weights: Float32Array) {
    this.layout = buildParamLayout(config);
    if (weights.length !== this.layout.totalFloats) throw new Error(`contextual embeddings: ${weights.length} parameters given, the model has ${this.layout.totalFloats}`);
    this.params = Tensor.empty(ctx, [this.layout.totalFloats], 'f32', 'hidden-states.params');
    this.params.write(weights);
  }

  /** Final hidden states [t, C] of one row of token ids (1 ≤ t ≤ blockSize); `types`: BERT's segment ids (default 0). */
  async run(ids: readonly number[], types?: readonly number[]): Promise<Float32Array> {
    const T = ids.length;
    if (T === 0) throw new Error('contextual embeddings: the sentence has no tokens');
    if (T > this.config.blockSize) throw new Error(`contextual embeddings: the sentence is ${T} tokens; the model reads at most ${this.config.blockSize}`);
    const shape = { batchSize: 1, seqLen: T };
    const graph = this.graphFor(shape);
    const hidden = graph instanceof BartGraph ? graph.encoderHidden : graph.hidden;
    try {
      // The host reads the states after the recording: keep their buffer out of lifetime sharing
      // (before any write, which plans the arena).
      if (hidden.planned) pinBuffer(hidden.planned);
      if (graph instanceof GptGraph) {
        graph.idx.write(Uint32Array.from(ids));
      } else if (graph instanceof BartGraph) {
        graph.inputs.input_ids.write(Uint32Array.from(ids));
        graph.kvLen.write(Uint32Array.of(T));
        graph.inputs.decoder_input_ids.write(Uint32Array.of(ids[0]));
      } else {
        graph.ids.write(Uint32Array.from(ids));
        if (types && types.length !== T) throw new Error(`contextual embeddings: ${types.length} segment ids for ${T} tokens`);
        graph.types.write(types ? Uint32Array.from(types) : new Uint32Array(T));
        graph.kvLen.write(Uint32Array.of(T));
      }
      await inferenceForward(this.ctx, graph);
      return (await hidden.read()).slice(0, T * this.config.nEmbd);
    } finally {
      graph.destroy();
    }
  }

  private graphFor(shape: { batchSize: number; seqLen: number }): GptGraph | BertGraph | BartGraph {
    const { ctx, layout, params } = this;
    // Forward only: the parameters stand in for the gradient buffer (only views are taken of it).
    if (this.config.kind === 'decoder') return new GptGraph(ctx, layout, params, params, shape);
    if (this.config.kind === 'encoder') return new BertGraph(ctx, layout, params, params, shape);
    return new BartGraph(ctx, layout, params, params, { ...shape, targetLen: 1 });
  }

  destroy(): void {
    this.params.destroy();
  }
}
