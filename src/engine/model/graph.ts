// What the training step needs from a model graph (GPT, BERT, …) built for one batch shape.
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';

export interface TrainGraph {
  /** u32 tensors uploaded for every micro-batch, by name (e.g. idx, targets). */
  readonly inputs: Readonly<Record<string, Tensor>>;
  /** [4] f32 per loss term (mean, count, correct, sum); the step's loss is the sum of the means. */
  readonly lossTerms: readonly Tensor[];
  /** Records forward through the loss (the loss op writes dlogits too); `train` applies dropout. */
  forward(rec: Recorder, train?: boolean): void;
  /** Records backward: activation grads cleared, parameter grads ACCUMULATED. */
  backward(rec: Recorder): void;
  destroy(): void;
}
