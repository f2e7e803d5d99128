// Attention of the active run, kept apart from training: the run's newest weights in memory (the
// starting weights, then each checkpoint's, handed over by the trainer's run.started and
// run.checkpoint events: nothing is re-read from disk or re-initialized), one AttentionInspector
// on its own parameter copy, and its jobs (the fixed sentences' snapshots, live inspections)
// one after another, so they interleave with training on the same device without touching it.
import { join } from 'node:path';
import type { AttentionSettings } from '../../../protocol/commands/run-types.ts';
import type { GpuContext } from '../../gpu/device';
import type { ModelConfig } from '../../model/config';
import { loadTokenizer, type Tokenizer } from '../../tokenizers';
import { TOKENIZER_FILE } from '../../train/index.ts';
import { AttentionInspector, inspectSentences, writeSnapshot, type AttentionSnapshot } from '../../inspect';

export interface SnapshotterDeps {
  gpu: () => Promise<GpuContext>;
  /** A snapshot of the fixed sentences was saved at `step`. */
  saved: (step: number) => void;
  warn: (message: string) => void;
}

export class RunSnapshotter {
  private latest: { step: number; params: Float32Array } | null = null;
  private tokenizer: Tokenizer | null = null;
  private inspector: AttentionInspector | null = null;
  /** Inspection jobs, one after another (they share the inspector). */
  private chain: Promise<unknown> = Promise.resolve();
  /** Why this model cannot be inspected (e.g. an encoder-decoder): said once, then not retried each checkpoint. */
  private unavailable: string | null = null;

  /**
   * `settings`: the sentences snapshotted at each checkpoint (null: none); `saved`: steps already
   * on disk (a resumed run does not redo its starting step's snapshot).
   */
  constructor(
    readonly runDir: string,
    readonly model: ModelConfig,
    private readonly settings: AttentionSettings | null,
    private readonly deps: SnapshotterDeps,
    saved: readonly number[],
    start: { step: number; params: Float32Array },
  ) {
    const tokenizerReady = loadTokenizer(join(runDir, TOKENIZER_FILE)).then((t) => (this.tokenizer = t));
    this.chain = this.chain.then(() => tokenizerReady).catch((error: unknown) => deps.warn(`could not load the tokenizer for attention: ${String(error)}`));
    this.latest = start;
    if (start.step === 0 || !saved.includes(start.step)) this.snapshotLatest();
  }

  /** The weights the trainer just saved become the live model, and are snapshotted. */
  checkpoint(step: number, params: Float32Array): void {
    this.latest = { step, params };
    this.snapshotLatest();
  }

  /** Attention of `sentences` under the newest weights (queued behind earlier jobs). */
  inspectLive(sentences: string[]): Promise<AttentionSnapshot> {
    const job = async () => {
      if (!this.latest || !this.tokenizer) throw new Error('attention.inspect: the live model has no weights yet (the run is still preparing its data)');
      const inspector = await this.inspectorWith(this.latest.params);
      return inspectSentences(inspector, this.tokenizer, sentences, this.latest.step);
    };
    const result = (this.chain = this.chain.then(job, job)) as Promise<AttentionSnapshot>;
    return result;
  }

  /** Waits for queued jobs, then frees the inspector's GPU buffers. */
  async dispose(): Promise<void> {
    await this.chain.catch(() => undefined);
    this.inspector?.destroy();
    this.inspector = null;
  }

  private async inspectorWith(params: Float32Array): Promise<AttentionInspector> {
    if (this.unavailable) throw new Error(this.unavailable);
    if (!this.inspector) {
      const ctx = await this.deps.gpu();
      try {
        this.inspector = new AttentionInspector(ctx, this.model);
      } catch (error) {
        this.unavailable = error instanceof Error ? error.message : String(error);
        throw error;
      }
    }
    this.inspector.setParams(params);
    return this.inspector;
  }

  private snapshotLatest(): void {
    const settings = this.settings;
    const latest = this.latest;
    if (!settings || !latest || this.unavailable) return;
    this.chain = this.chain
      .then(async () => {
        if (!this.tokenizer) return;
        const snap = await inspectSentences(await this.inspectorWith(latest.params), this.tokenizer, settings.sentences, latest.step);
        writeSnapshot(this.runDir, snap);
        this.deps.saved(latest.step);
      })
      .catch((error: unknown) => this.deps.warn(`attention snapshot at step ${latest.step} failed: ${error instanceof Error ? error.message : String(error)}`));
  }
}
