// What a training run tells its host: plain, structured-clone-able objects keyed on `type`, with
// the run's id. Train metrics are batched (a few events per second, not one per step).
import type { CorpusIssue } from '../data';
import type { ModelConfig } from '../model/config';
import type { MetricRecord } from '../runstore/metrics-log';
import type { PreparePhase } from './prepare';

export type RunState = 'preparing' | 'running' | 'paused' | 'stopping' | 'finished' | 'stopped' | 'failed';

export interface RunProgress {
  step: number;
  totalSteps: number;
  /** Wall time of this process' training so far (previous sessions of a resumed run included). */
  elapsedMs: number;
  etaMs: number;
  /** Tokens per second over the latest window of steps (evaluation time excluded). */
  tokensPerSecond: number;
  /** Latest train loss read back. */
  loss: number;
}

export type TrainerEvent =
  | { type: 'run.prepare'; runId: string; phase: PreparePhase; message: string; fraction?: number }
  /** `summary`: the import's summary lines (counts by kind, first issues, the report's path). */
  | { type: 'run.issues'; runId: string; issues: CorpusIssue[]; summary?: string[] }
  | {
      type: 'run.started';
      runId: string;
      runDir: string;
      resumed: boolean;
      startStep: number;
      totalSteps: number;
      parameters: number;
      tokensPerStep: number;
      model: ModelConfig;
      memoryBytes: number;
      /**
       * The weights the run starts from (initialized, or its checkpoint's), flat in layout order:
       * for a host that inspects the model in memory. Never sent over the wire.
       */
      params: Float32Array;
    }
  /** Train records (loss, lr, gradNorm, tokensPerSecond …) since the last event, in step order. */
  | { type: 'run.metrics'; runId: string; records: MetricRecord[]; progress: RunProgress }
  /** A validation record: valLoss, valPerplexity. */
  | { type: 'run.eval'; runId: string; record: MetricRecord }
  | { type: 'run.sample'; runId: string; step: number; prompt: string; text: string }
  /** `params`: the weights just saved, flat in layout order (for in-memory inspection; never sent over the wire). */
  | { type: 'run.checkpoint'; runId: string; step: number; path: string; params: Float32Array }
  /** The probe sentences' attention under the weights of `step` was saved (attention-probes.ts). */
  | { type: 'run.attention'; runId: string; step: number; path: string }
  /** Something the run could not do and went on without (e.g. snapshots of a model the inspector does not cover). */
  | { type: 'run.warning'; runId: string; message: string }
  | { type: 'run.state'; runId: string; state: RunState; step: number; message?: string };

export type TrainerEventSink = (event: TrainerEvent) => void;
