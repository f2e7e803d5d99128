// What every model graph shares around its body: the two arenas, the heads on top (their inputs
// and loss terms after the body's), the dropout sites, and the rule that training with dropout
// needs the StepState its masks are drawn from.
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import type { DropoutSpec } from '../ops/dropout';
import type { StepState } from '../ops/step-state';
import type { Arena } from './arena';
import type { TrainGraph } from './graph';
import type { Head } from './heads/head';
import { dropoutAt } from './layers/shared';
import { type LayerParams, layerTrains } from './layers/transformer-layer';
import type { ParamLayout } from './params';

export abstract class ModelGraph implements TrainGraph {
  abstract readonly acts: Arena;
  abstract readonly dacts: Arena;
  abstract readonly heads: Head[];
  /** The body's own inputs (token ids, segment ids, key lengths), by name. */
  protected abstract readonly bodyInputs: Record<string, Tensor>;

  constructor(
    readonly name: string,
    readonly layout: ParamLayout,
    /** Seed and step of the replay: dropout masks are drawn from them (required to train with dropout). */
    readonly state?: StepState,
  ) {}

  get inputs(): Record<string, Tensor> {
    return Object.assign({ ...this.bodyInputs }, ...this.heads.map((h) => h.inputs));
  }

  get lossTerms(): Tensor[] {
    return this.heads.flatMap((h) => h.lossTerms);
  }

  /** The first head's logits and loss statistics ([4]: mean, count, correct, sum). */
  get logits(): Tensor {
    return this.heads[0].logits;
  }

  get lossStats(): Tensor {
    return this.heads[0].lossTerms[0];
  }

  /** The dropout of `site` in layer `layer` (-1: the embeddings), if this model drops anything. */
  protected drop(layer: number, site: number): DropoutSpec | undefined {
    return dropoutAt(this.layout.config.dropout, this.state, layer, site);
  }

  /** Without a StepState the graph serves inference only (evaluation, inspection): masks need one. */
  protected checkTrain(train: boolean): void {
    if (train && this.layout.config.dropout > 0 && !this.state) {
      throw new Error(`${this.name}: training with dropout ${this.layout.config.dropout} needs the StepState its masks are drawn from`);
    }
  }

  /**
   * Where a stack's backward may stop: the lowest layer with a trainable tensor (-1: the
   * embeddings train too; layers.length: none does). Below it nothing needs a gradient, so a model
   * fine-tuned in its top layers records no backward for the frozen ones at all.
   */
  protected static lowestTrainable(embeddingsTrain: boolean, layers: readonly LayerParams[]): number {
    if (embeddingsTrain) return -1;
    const i = layers.findIndex(layerTrains);
    return i < 0 ? layers.length : i;
  }

  abstract forward(rec: Recorder, train?: boolean): void;
  abstract backward(rec: Recorder): void;

  destroy(): void {
    this.acts.destroy();
    this.dacts.destroy();
  }
}
