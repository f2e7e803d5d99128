// A head plugs onto a body's final hidden states [N, C] and owns its loss: it names the inputs it
// needs (targets, labels), plans its activations in the graph's arenas, and contributes one [4]
// loss-statistics tensor per loss term (mean, count, correct, sum). Planned first, built after the
// arenas are allocated (the same two phases as the layers).
import type { Recorder } from '../../gpu/kernel';
import type { Tensor } from '../../gpu/tensor';
import type { Arena } from '../arena';
import type { ModelConfig } from '../config';
import type { Plans } from '../layers/plan';
import type { ParamViews } from '../views';

export interface Head {
  /** u32 inputs uploaded per micro-batch, by name. */
  readonly inputs: Readonly<Record<string, Tensor>>;
  /** [4] f32 per loss term. */
  readonly lossTerms: readonly Tensor[];
  /** The head's main output (logits), for tests and inspection. */
  readonly logits: Tensor;
  /** Records the head's forward through its loss (the loss op writes its logits' gradient too). */
  forward(rec: Recorder, hidden: Tensor /* [N, C] */): void;
  /** Records its backward: dHidden [N, C] and parameter gradients ACCUMULATED (frozen ones skipped). */
  backward(rec: Recorder, hidden: Tensor /* [N, C] */, dHidden: Tensor /* [N, C] */): void;
}

/** What a head is planned against: the graph's arenas and shapes, and the body's tied embedding. */
export interface HeadContext {
  plans: Plans;
  cfg: ModelConfig;
  B: number;
  /** Positions per row of the hidden states the head reads (the decoder's length in a seq2seq model). */
  T: number;
  gradScale: number;
  /** Slab key of the token embedding a tied output projection shares. */
  tokensKey: string;
  /** Activation name of the body's real tokens per row ([B] u32, padding at the tail: BERT's kvLen), for heads that pool over them. */
  lengths?: string;
}

/** Builds the head once the arenas exist. */
export type HeadBuilder = (acts: Arena, dacts: Arena, v: ParamViews) => Head;
