// The active run: a TrainingRun from the trainer (or a fine-tune, FineTuneRun: anything that is a
// Trainer), what the Train page shows of it (kept for a page that opens mid-run), its events
// forwarded to the UI without the weights they carry, its samples appended to the folder, and its
// attention snapshotter once the model exists.
import { resolve } from 'node:path';
import type { StudioEvent } from '../../../protocol/index.ts';
import type { ActiveRun } from '../../../protocol/commands/run-status.ts';
import type { AttentionSettings } from '../../../protocol/commands/run-types.ts';
import type { GpuContext } from '../../gpu/device';
import { listSnapshots } from '../../inspect';
import { TrainingRun, type RunRequest, type RunState, type TrainerEvent, type TrainerEventSink } from '../../train/index.ts';
import { appendSample, readAttentionSettings, readSamples } from './folder';
import { finiteOnly } from './run-folders';
import { RunSnapshotter } from './snapshotter';

const SAMPLES_KEPT = 50;

/** What a LiveRun drives: a run with a folder, a plan, and pause / resume / stop between steps. */
export interface Trainer {
  readonly runId: string;
  /** Chosen synchronously by start() (empty if it failed before choosing). */
  readonly runDir: string;
  readonly state: RunState;
  /** Known once start() has chosen the folder. */
  readonly objective: string;
  readonly totalSteps: number;
  /** Its weights are a language model the attention view can inspect (a classifier's are not snapshotted). */
  readonly inspectable: boolean;
  /** Runs it to the end; the returned promise settles when it has finished, stopped or failed. */
  start(): Promise<unknown>;
  pause(): void;
  resume(): void;
  stop(): void;
}

/** The trainer's TrainingRun as a Trainer. */
function trainingTrainer(run: TrainingRun): Trainer {
  return {
    runId: run.runId,
    get runDir() { return run.runDir; },
    get state() { return run.state; },
    get objective() { return run.options.objective; },
    get totalSteps() { return run.options.steps; },
    inspectable: true,
    start: () => run.start(),
    pause: () => run.pause(),
    resume: () => run.resume(),
    stop: () => run.stop(),
  };
}

export interface LiveRunDeps {
  gpu: () => Promise<GpuContext>;
  emit: (event: StudioEvent) => void;
}

export class LiveRun {
  readonly info: ActiveRun;
  snapshotter: RunSnapshotter | null = null;
  /** The trainer has ended and the snapshotter has finished its jobs. */
  done = false;
  /** Resolves when `done` becomes true. */
  ended: Promise<void> = Promise.resolve();

  private constructor(
    readonly run: Trainer,
    attention: AttentionSettings | null,
    private readonly deps: LiveRunDeps,
    objective: string,
  ) {
    this.info = {
      runId: run.runId, runDir: '', name: '', state: 'preparing', objective, parameters: 0, memoryBytes: 0, model: null,
      totalSteps: 0, progress: null, samples: [], attention, attentionSteps: [],
    };
  }

  /**
   * Starts the run; resolves once it has chosen its folder (or rejects with why it could not:
   * bad options, a folder in use). Its `ended` resolves when it has finished, stopped or failed.
   */
  static async launch(request: RunRequest, attention: AttentionSettings | null, deps: LiveRunDeps, cacheDir: string): Promise<LiveRun> {
    const ctx = await deps.gpu();
    const objective = request.kind === 'new' ? request.options.objective : '';
    return LiveRun.launchTrainer((onEvent) => trainingTrainer(new TrainingRun(ctx, request, { cacheDir, onEvent })), objective, request.kind === 'resume', attention, deps);
  }

  /** Starts any Trainer (made with the sink its events go to) as the active run. */
  static async launchTrainer(make: (onEvent: TrainerEventSink) => Trainer, objective: string, resumed: boolean, attention: AttentionSettings | null, deps: LiveRunDeps): Promise<LiveRun> {
    let live: LiveRun | null = null;
    const run = make((event) => live?.receive(event));
    live = new LiveRun(run, attention, deps, objective);
    const finished = run.start();
    if (!run.runDir) {
      // It failed before choosing its folder (bad options): report that to the caller.
      await finished;
      throw new Error('run.start: the run ended before it started');
    }
    const info = live.info;
    info.runDir = run.runDir;
    info.name = run.runDir.split(/[\\/]/).pop() ?? run.runDir;
    info.totalSteps = run.totalSteps;
    info.objective = run.objective;
    if (resumed) {
      info.samples = readSamples(run.runDir).slice(-SAMPLES_KEPT);
      info.attentionSteps = listSnapshots(run.runDir);
    }
    const self = live;
    live.ended = finished
      .then(() => undefined, () => undefined) // the trainer has said why in a run.state 'failed' event
      .then(() => self.snapshotter?.dispose())
      .then(() => { self.done = true; });
    return live;
  }

  /** Still training (or about to): its folder is in use. Snapshot jobs may still finish after this. */
  get isLive(): boolean {
    return !this.done && !['finished', 'stopped', 'failed'].includes(this.info.state);
  }

  /** This run's state for the runs list, when `runDir` is its folder and it is live. */
  liveState(runDir: string): { status: ActiveRun['state']; step?: number } | null {
    if (!this.isLive || resolve(this.info.runDir) !== resolve(runDir)) return null;
    return { status: this.info.state, step: this.info.progress?.step };
  }

  private receive(event: TrainerEvent): void {
    const info = this.info;
    switch (event.type) {
      case 'run.prepare':
        info.prepare = event.message;
        info.preparePhase = event.phase;
        info.prepareFraction = event.fraction;
        break;
      case 'run.started':
        info.parameters = event.parameters;
        info.memoryBytes = event.memoryBytes;
        info.totalSteps = event.totalSteps;
        info.model = { ...event.model };
        info.prepare = undefined;
        info.preparePhase = undefined;
        info.prepareFraction = undefined;
        if (!this.run.inspectable) break;
        this.snapshotter = new RunSnapshotter(info.runDir, event.model, { gpu: this.deps.gpu, warn: (message) => this.warn(message) }, { step: event.startStep, params: event.params });
        break;
      case 'run.attention':
        // The trainer saved its probes' snapshot (and, with the first, the sentences it chose).
        if (!info.attentionSteps.includes(event.step)) info.attentionSteps = [...info.attentionSteps, event.step].sort((x, y) => x - y);
        info.attention ??= this.safely(() => readAttentionSettings(info.runDir)) ?? null;
        this.deps.emit({ type: 'run.attention', runId: info.runId, step: event.step });
        return;
      case 'run.warning':
        this.warn(event.message);
        return;
      case 'run.metrics':
        info.progress = { ...event.progress, loss: Number.isFinite(event.progress.loss) ? event.progress.loss : null };
        break;
      case 'run.sample': {
        const sample = { step: event.step, prompt: event.prompt, text: event.text };
        info.samples = [...info.samples, sample].slice(-SAMPLES_KEPT);
        this.safely(() => appendSample(info.runDir, sample));
        break;
      }
      case 'run.checkpoint':
        this.snapshotter?.checkpoint(event.step, event.params);
        break;
      case 'run.state':
        info.state = event.state;
        info.message = event.message;
        if (info.progress) info.progress = { ...info.progress, step: event.step };
        break;
    }
    this.deps.emit(wireEvent(event));
  }

  private safely<T>(work: () => T): T | undefined {
    try {
      return work();
    } catch (error) {
      this.warn(error instanceof Error ? error.message : String(error));
      return undefined;
    }
  }

  private warn(message: string): void {
    this.deps.emit({ type: 'host.log', level: 'warn', message, runId: this.info.runId });
  }
}

/** The event as the UI gets it: finite numbers only, and no weights (they stay in this process). */
function wireEvent(event: TrainerEvent): StudioEvent {
  switch (event.type) {
    case 'run.metrics': {
      const loss = event.progress.loss;
      return { ...event, records: event.records.map(finiteOnly), progress: { ...event.progress, loss: Number.isFinite(loss) ? loss : null } };
    }
    case 'run.eval':
      return { ...event, record: finiteOnly(event.record) };
    case 'run.started': {
      const { params: _weights, ...rest } = event;
      return { ...rest, model: { ...event.model } };
    }
    case 'run.checkpoint': {
      const { params: _weights, ...rest } = event;
      return rest;
    }
    default:
      return event as StudioEvent;
  }
}
