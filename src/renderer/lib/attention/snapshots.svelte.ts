// Attention maps saved over training for a fixed set of sentences, replayed with the step slider.
// Maps are large and replaced whole, never mutated: $state.raw.
import type { AttentionLayer } from './types.ts';

/** What the engine saved at one training step for one sentence. */
export interface AttentionSnapshot {
  step: number;
  tokens: { text: string; special?: boolean }[];
  layers: AttentionLayer[]; // one kind of attention, first layer first
}

export class SnapshotStore {
  /** Steps that have a snapshot, ascending (reactive). */
  steps = $state.raw<number[]>([]);
  #byStep = new Map<number, AttentionSnapshot>();

  add(snapshot: AttentionSnapshot): void {
    if (!this.#byStep.has(snapshot.step)) {
      this.steps = [...this.steps, snapshot.step].sort((a, b) => a - b);
    }
    this.#byStep.set(snapshot.step, snapshot);
  }

  at(step: number): AttentionSnapshot | undefined {
    return this.#byStep.get(step);
  }

  /** The latest snapshot at or before `step` (the slider may sit between saves). */
  atOrBefore(step: number): AttentionSnapshot | undefined {
    let best: number | undefined;
    for (const s of this.steps) if (s <= step) best = s;
    return best === undefined ? undefined : this.#byStep.get(best);
  }

  clear(): void {
    this.#byStep.clear();
    this.steps = [];
  }
}
