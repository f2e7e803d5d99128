// A fine-tune (src/engine/finetune/run.ts) as a Trainer the run service drives like a training
// run: the same run.* events (started, batched train metrics with progress, validation records,
// the kept checkpoint, state), pause / resume / stop between steps, its folder chosen up front; or
// a stopped fine-tune continued from its folder (`resumed`, options from resumeRequest).
// The classifier's weights are not handed to the attention snapshotter (inspectable: false).
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { GpuContext } from '../../gpu/device';
import { classifierLayout, fineTune, type FineTuneOptions, type FineTuneResult, type LabeledData } from '../../finetune/run';
import type { MetricRecord } from '../../runstore/metrics-log';
import type { RunProgress, RunState, TrainerEvent, TrainerEventSink } from '../../train/index.ts';
import { readRunConfig } from '../../train/index.ts';
import type { Trainer } from './live-run';

/** Least time between two run.metrics events, as the trainer's default. */
const EVENT_INTERVAL_MS = 250;

export class FineTuneRun implements Trainer {
  readonly runId = randomUUID();
  state: RunState = 'preparing';
  readonly objective = 'classify';
  readonly inspectable = false;
  result: FineTuneResult | null = null;

  private stopRequested = false;
  private pauseRequested = false;
  private wake: (() => void) | null = null;
  private pending: MetricRecord[] = [];
  private lastEmit = 0;
  private latestLoss = NaN;
  private step = 0;
  private startStep = 0;
  private startedAt = 0;

  /** `options.name` and `options.runsDir` name the folder: it is known before anything runs. */
  constructor(
    private readonly ctx: GpuContext,
    readonly options: FineTuneOptions,
    private readonly data: LabeledData,
    private readonly onEvent: TrainerEventSink,
    private readonly log: (message: string, runId: string) => void,
    private readonly resumed = false,
  ) {
    if (!options.name) throw new Error('FineTuneRun: options.name must name the run folder');
  }

  get runDir(): string {
    return resolve(this.options.runsDir, this.options.name);
  }

  get totalSteps(): number {
    return this.options.steps;
  }

  pause(): void {
    if (this.state === 'running') this.pauseRequested = true;
  }

  resume(): void {
    this.pauseRequested = false;
    this.wake?.();
  }

  stop(): void {
    this.stopRequested = true;
    if (this.state === 'running' || this.state === 'paused') this.setState('stopping');
    this.wake?.();
  }

  private emit(event: TrainerEvent): void {
    try {
      this.onEvent(event);
    } catch {
      // A failing listener must not kill the run.
    }
  }

  private setState(state: RunState, message?: string): void {
    this.state = state;
    this.emit({ type: 'run.state', runId: this.runId, state, step: this.step, ...(message ? { message } : {}) });
  }

  async start(): Promise<FineTuneResult | null> {
    const o = this.options;
    try {
      this.setState('preparing');
      const loading = this.resumed ? `the stopped run ${this.runDir}` : `${o.init === 'pretrained' ? 'the pretrained checkpoint' : 'the architecture (random weights)'} of ${o.from}`;
      this.emit({ type: 'run.prepare', runId: this.runId, phase: 'checkpoint', message: `loading ${loading}` });
      const model = readRunConfig(resolve(o.from)).pretrain_studio.model;
      const layout = classifierLayout(model, this.data.labels.id2label.length, o.scope, o.pooling);
      const T = Math.min(o.maxLength, layout.config.blockSize);
      this.startedAt = performance.now();
      let started = false;
      const result = await fineTune(this.ctx, o, this.data, (e) => {
        if (!started && e.kind !== 'log') {
          started = true;
          // The first record of this session comes from the step after the resume point.
          this.startStep = e.record ? e.record.step - 1 : 0;
          this.step = this.startStep;
          this.emit({
            type: 'run.started', runId: this.runId, runDir: this.runDir, resumed: this.resumed, startStep: this.startStep, totalSteps: o.steps,
            parameters: layout.count, tokensPerStep: o.batchSize * T, model: layout.config, memoryBytes: 0, params: new Float32Array(0),
          });
          if (this.state === 'preparing') this.setState('running');
        }
        if (e.kind === 'log' && e.message) this.log(e.message, this.runId);
        if (e.kind === 'train' && e.record) this.train(e.record, o.batchSize * T);
        if (e.kind === 'val' && e.record) {
          this.flushMetrics(o.batchSize * T);
          this.emit({ type: 'run.eval', runId: this.runId, record: e.record });
        }
      }, { between: (step) => this.between(step) }, this.resumed);
      this.flushMetrics(o.batchSize * T);
      this.result = result;
      this.step = result.steps;
      this.emit({ type: 'run.checkpoint', runId: this.runId, step: result.bestStep, path: join(this.runDir, 'checkpoints', `step-${result.bestStep}`), params: new Float32Array(0) });
      this.setState(this.stopRequested ? 'stopped' : 'finished', `kept step ${result.bestStep} (best validation macro-F1 ${result.val.macroF1.toFixed(4)})`);
      return result;
    } catch (error) {
      this.setState('failed', error instanceof Error ? error.message : String(error));
      return null;
    }
  }

  /** Between two steps: wait out a pause; answer whether to stop. */
  private async between(step: number): Promise<boolean> {
    this.step = step;
    if (this.state === 'preparing') this.setState('running');
    while (this.pauseRequested && !this.stopRequested) {
      this.flushMetrics(0);
      this.setState('paused');
      await new Promise<void>((wake) => (this.wake = wake));
      this.wake = null;
      if (!this.stopRequested) this.setState('running');
    }
    return this.stopRequested;
  }

  private train(record: MetricRecord, tokensPerStep: number): void {
    this.pending.push(record);
    if (typeof record.loss === 'number') this.latestLoss = record.loss;
    if (performance.now() - this.lastEmit >= EVENT_INTERVAL_MS) this.flushMetrics(tokensPerStep);
  }

  private flushMetrics(tokensPerStep: number): void {
    if (this.pending.length === 0) return;
    const records = this.pending;
    this.pending = [];
    this.lastEmit = performance.now();
    const step = records[records.length - 1].step;
    const elapsedMs = performance.now() - this.startedAt;
    const msPerStep = step > this.startStep ? elapsedMs / (step - this.startStep) : NaN;
    const progress: RunProgress = {
      step, totalSteps: this.options.steps, elapsedMs, etaMs: Number.isFinite(msPerStep) ? msPerStep * (this.options.steps - step) : 0,
      tokensPerSecond: Number.isFinite(msPerStep) && tokensPerStep > 0 ? (tokensPerStep * 1000) / msPerStep : 0, loss: this.latestLoss,
    };
    this.emit({ type: 'run.metrics', runId: this.runId, records, progress });
  }
}

/** The labeled-file fields of finetune.inspect / finetune.start. */
export interface LabeledSourceParams {
  path: string;
  name?: string;
  textField?: string;
  pairField?: string;
  labelField?: string;
  badRows?: 'skip' | 'refuse';
  valFraction: number;
  testFraction: number;
  seed: number;
}

/** A message about `path` as the person knows the file (an upload's own name, not its host path). */
export function namedAs(message: string, path: string, name: string | undefined): string {
  return name ? message.split(path).join(name) : message;
}

/** The reading options of a labeled source. */
export function labeledOptions(p: LabeledSourceParams): Pick<FineTuneOptions, 'data' | 'textField' | 'pairField' | 'labelField' | 'badRows' | 'valFraction' | 'testFraction' | 'seed'> {
  return {
    data: p.path, textField: p.textField, pairField: p.pairField, labelField: p.labelField, badRows: p.badRows ?? 'skip',
    valFraction: p.valFraction, testFraction: p.testFraction, seed: p.seed,
  };
}
