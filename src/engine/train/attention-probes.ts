// Attention snapshots taken by the training loop itself: the run's fixed probe sentences (the
// user's `attentionSentences`, else defaults in the corpus's language) through the weights of
// every checkpoint (and the starting weights of a new run), saved as
// runs/<name>/attention/step-N.safetensors (inspect/snapshots.ts), so every run — the CLI's as
// much as the app's — has the snapshots the Attention page's step slider replays.
// The inspector owns its own parameter copy and activations: a snapshot never touches the step.
import type { GpuContext } from '../gpu/device';
import type { ModelConfig } from '../model/config';
import type { Seq2SeqTokenizers, Tokenizer } from '../tokenizers';
import { AttentionInspector } from '../inspect/inspector';
import { defaultProbes, inspectSentences } from '../inspect/sentences';
import { listSnapshots, readProbeSettings, writeProbeSettings, writeSnapshot } from '../inspect/snapshots';
import type { ScriptCounts } from '../data/stats';

export interface ProbeOptions {
  /** The user's sentences; empty: defaults in the corpus's language. */
  sentences: readonly string[];
  /** The checkpoint cadence, recorded with the sentences (the page shows it). */
  every: number;
  /**
   * The defaults when the user names none, instead of sentences in the corpus's language (a seq2seq
   * run with a tokenizer per side: held-out pairs "source => target", whose target the target
   * tokenizer can read).
   */
  defaults?: readonly string[];
  /** The corpus's letters by script, to choose the default sentences. */
  scripts: ScriptCounts;
  /** The run's objective (an encoder-decoder's rows are framed as it frames them). */
  objective: string;
}

export class AttentionProbes {
  readonly sentences: string[];
  private readonly objective: string;
  private inspector: AttentionInspector | null = null;
  /** Why this model has no snapshots (an architecture the inspector does not cover): said once. */
  private unavailable: string | null = null;

  constructor(
    private readonly ctx: GpuContext,
    private readonly model: ModelConfig,
    /** The run's tokenizer, or an encoder-decoder's source and target tokenizers. */
    private readonly tokenizer: Tokenizer | Seq2SeqTokenizers,
    private readonly runDir: string,
    options: ProbeOptions,
  ) {
    this.objective = options.objective;
    // A run keeps its probes for life: a resumed folder whose options name none (one started before
    // the option existed) goes on with the sentences it already has snapshots of.
    const previous = options.sentences.length > 0 ? null : readProbeSettings(runDir);
    this.sentences = options.sentences.length > 0 ? [...options.sentences] : previous?.sentences.length ? [...previous.sentences]
      : options.defaults?.length ? [...options.defaults] : defaultProbes(options.scripts);
    writeProbeSettings(runDir, { every: options.every, sentences: this.sentences });
  }

  /** Steps already saved (a resumed run does not redo its starting step). */
  saved(): number[] {
    return listSnapshots(this.runDir);
  }

  /**
   * Saves the probes' attention under `params` (flat, in the model's layout) as step `step`'s
   * snapshot. Returns the file written, or a reason it could not be (said once per run: the
   * caller reports it and training goes on).
   */
  async snapshot(step: number, params: Float32Array): Promise<{ path: string } | { skipped: string; first: boolean }> {
    if (this.unavailable) return { skipped: this.unavailable, first: false };
    try {
      this.inspector ??= new AttentionInspector(this.ctx, this.model);
    } catch (error) {
      this.unavailable = `attention snapshots: ${error instanceof Error ? error.message : String(error)}`;
      return { skipped: this.unavailable, first: true };
    }
    this.inspector.setParams(params);
    const snap = await inspectSentences(this.inspector, this.tokenizer, this.sentences, step, this.objective);
    return { path: writeSnapshot(this.runDir, snap) };
  }

  destroy(): void {
    this.inspector?.destroy();
    this.inspector = null;
  }
}
