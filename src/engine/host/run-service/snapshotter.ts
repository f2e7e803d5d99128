// Live attention of the active run, kept apart from training: the run's newest weights in memory
// (the starting weights, then each checkpoint's, handed over by the trainer's run.started and
// run.checkpoint events: nothing is re-read from disk or re-initialized), one AttentionInspector
// on its own parameter copy, and its inspections one after another, so they interleave with
// training on the same device without touching it. The fixed probes' snapshots are the training
// run's own (src/engine/train/attention-probes.ts): the CLI's runs have them too.
import type { GpuContext } from '../../gpu/device';
import type { ModelConfig } from '../../model/config';
import type { Seq2SeqTokenizers } from '../../tokenizers';
import { loadRunTokenizers, readRunConfig } from '../../train/index.ts';
import { AttentionInspector, inspectSentences, type AttentionSnapshot } from '../../inspect';

export interface SnapshotterDeps {
  gpu: () => Promise<GpuContext>;
  warn: (message: string) => void;
}

export class RunSnapshotter {
  private latest: { step: number; params: Float32Array } | null = null;
  private tokenizer: Seq2SeqTokenizers | null = null;
  private inspector: AttentionInspector | null = null;
  /** Inspections, one after another (they share the inspector). */
  private chain: Promise<unknown> = Promise.resolve();
  /** Why this model cannot be inspected: the inspector refused it once, so it is not rebuilt each time. */
  private unavailable: string | null = null;
  /** The run's objective: how an encoder-decoder frames its rows. */
  private objective: string | undefined;

  constructor(
    readonly runDir: string,
    readonly model: ModelConfig,
    private readonly deps: SnapshotterDeps,
    start: { step: number; params: Float32Array },
  ) {
    const tokenizerReady = loadRunTokenizers(runDir).then((t) => (this.tokenizer = t));
    this.chain = this.chain.then(() => tokenizerReady).catch((error: unknown) => deps.warn(`could not load the tokenizer for attention: ${String(error)}`));
    this.latest = start;
    try {
      this.objective = readRunConfig(runDir).pretrain_studio.objective;
    } catch {
      // no config.json (an odd folder): frame pairs as BART does
    }
  }

  /** The weights the trainer just saved become the live model. */
  checkpoint(step: number, params: Float32Array): void {
    this.latest = { step, params };
  }

  /** Attention of `sentences` under the newest weights (queued behind earlier jobs). */
  inspectLive(sentences: string[]): Promise<AttentionSnapshot> {
    const job = async () => {
      if (!this.latest || !this.tokenizer) throw new Error('attention.inspect: the live model has no weights yet (the run is still preparing its data)');
      const inspector = await this.inspectorWith(this.latest.params);
      return inspectSentences(inspector, this.tokenizer, sentences, this.latest.step, this.objective);
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
}
