// Training runs as the UI sees them: the engine's active run (its state, progress, samples and
// live metrics, from run.* events), the metrics history of a run folder (metrics.jsonl, paged),
// and the runs list. Metrics go into MetricsStores (column arrays, one redraw per batch); big
// arrays are $state.raw and replaced whole.
import type { CommandResult, StudioEvent } from '../../protocol/index.ts';
import type { ActiveRun } from '../../protocol/commands/run-status.ts';
import type { AttentionSettings, RunEntry, RunMetricRecord, RunProgressInfo, RunSample } from '../../protocol/commands/run-types.ts';
import type { TrainOptionsPatch } from '../../protocol/train-options.ts';
import type { StudioApi } from '../api/index.ts';
import { MetricsStore, type MetricRecord } from '../lib/charts/metrics.svelte.ts';
import { phaseStart, type PhaseStart } from '../lib/progress/phase-clock.ts';

/** Keys of a metrics.jsonl record that are not metrics. */
const NOT_METRICS = new Set(['step', 'time', 'split', 'elapsedMs', 'evalMs']);

/** metrics.jsonl records → chart records (one per named number); train perplexity is exp(loss), a term's exp(<term>Loss). */
export function chartRecords(records: readonly RunMetricRecord[]): MetricRecord[] {
  const out: MetricRecord[] = [];
  for (const r of records) {
    for (const [name, value] of Object.entries(r)) {
      if (NOT_METRICS.has(name) || typeof value !== 'number' || !Number.isFinite(value)) continue;
      out.push({ step: r.step, split: r.split, name, value, time: r.time });
      if (name === 'loss' && r.split === 'train') out.push({ step: r.step, split: 'train', name: 'perplexity', value: Math.exp(value), time: r.time });
      // Each named loss term (mlmLoss …) has its perplexity too: the registry's charts may name it.
      if (name.endsWith('Loss') && name !== 'valLoss') out.push({ step: r.step, split: r.split, name: `${name.slice(0, -4)}Perplexity`, value: Math.exp(value), time: r.time });
    }
  }
  return out;
}

/** Reads a run's whole metrics.jsonl, page by page, into a store. */
export async function loadHistory(api: StudioApi, runDir: string, store: MetricsStore): Promise<number> {
  let offset: number | null = 0;
  let count = 0;
  while (offset !== null) {
    const page: CommandResult<'run.history'> = await api.call('run.history', { runDir, offset, limit: 4000 });
    store.ingest(chartRecords(page.records as RunMetricRecord[]));
    count += page.records.length;
    offset = page.next;
  }
  return count;
}


export class RunsState {
  active = $state.raw<ActiveRun | null>(null);
  runsDir = $state('');
  /** Metrics of the active run (history + live). */
  readonly metrics = new MetricsStore();
  samples = $state.raw<RunSample[]>([]);
  progress = $state.raw<RunProgressInfo | null>(null);
  issues = $state.raw<string[]>([]);
  /** Waiting on a command (start, pause …): buttons disable. */
  busy = $state(false);
  error = $state<string | null>(null);
  loaded = $state(false);
  list = $state.raw<RunEntry[]>([]);
  listLoaded = $state(false);
  listError = $state<string | null>(null);
  /** Bumped at each saved attention snapshot of the active run. */
  snapshotVersion = $state(0);
  /** Bumped when the active run saves new weights (a checkpoint): the "live" model changed. */
  weightsVersion = $state(0);
  /** When this page saw the active run's current preparation phase begin (its ETA's clock). */
  prepareStart = $state.raw<PhaseStart | null>(null);

  #historyFor = '';
  #pending: MetricRecord[] = [];
  #flushScheduled = false;

  constructor(private readonly api: StudioApi) {
    api.on((event) => this.receive(event));
  }

  get running(): boolean {
    const s = this.active?.state;
    return s === 'preparing' || s === 'running' || s === 'paused' || s === 'stopping';
  }

  /** Asks the engine for its active run and loads that run's history (a reload mid-run). */
  async init(): Promise<void> {
    try {
      const status = await this.api.call('run.status', {});
      this.runsDir = status.runsDir;
      if (status.active) await this.adopt(status.active);
      this.error = null;
    } catch (error) {
      this.error = message(error);
    } finally {
      this.loaded = true;
    }
  }

  async start(options: TrainOptionsPatch, attention: AttentionSettings | null): Promise<void> {
    await this.command(async () => {
      const { runId, runDir } = await this.api.call('run.start', { options, attention });
      this.metrics.clear();
      this.samples = [];
      this.progress = null;
      this.issues = [];
      this.#historyFor = runDir;
      await this.refreshStatus(runId);
    });
  }

  pause = () => this.command(async () => void (await this.api.call('run.pause', { runId: this.active!.runId })));
  resume = () => this.command(async () => void (await this.api.call('run.resume', { runId: this.active!.runId })));
  stop = () => this.command(async () => void (await this.api.call('run.stop', { runId: this.active!.runId })));

  /** Continues a stopped run folder from its last checkpoint (optionally to a new total). */
  async resumeFolder(runDir: string, steps?: number): Promise<void> {
    await this.command(async () => {
      const { runId } = await this.api.call('run.resume', steps ? { runDir, steps } : { runDir });
      this.metrics.clear();
      this.samples = [];
      this.#historyFor = '';
      await this.refreshStatus(runId);
    });
  }

  async refreshList(): Promise<void> {
    try {
      const result = await this.api.call('run.list', {});
      this.list = result.runs;
      this.runsDir = result.runsDir;
      this.listError = null;
    } catch (error) {
      this.listError = message(error);
    } finally {
      this.listLoaded = true;
    }
  }

  private async command(work: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      await work();
    } catch (error) {
      this.error = message(error);
    } finally {
      this.busy = false;
    }
  }

  private async refreshStatus(expectRunId?: string): Promise<void> {
    const status = await this.api.call('run.status', {});
    if (status.active && (!expectRunId || status.active.runId === expectRunId)) await this.adopt(status.active);
  }

  private async adopt(active: ActiveRun): Promise<void> {
    this.active = active;
    if (active.state === 'preparing' && active.preparePhase) this.prepareStart = phaseStart(this.prepareStart, `${active.runId}:${active.preparePhase}`, active.prepareFraction);
    this.samples = active.samples;
    if (active.progress) this.progress = active.progress;
    if (this.#historyFor !== active.runDir) {
      this.#historyFor = active.runDir;
      this.metrics.clear();
      // Live records that arrive while the history loads are newer: the store keeps the newest per step.
      await loadHistory(this.api, active.runDir, this.metrics).catch((error: unknown) => (this.error = message(error)));
    }
  }

  /** Metrics arrive a few times a second; ingest them once per animation frame at most. */
  private queue(records: MetricRecord[]): void {
    this.#pending.push(...records);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    requestAnimationFrame(() => {
      this.#flushScheduled = false;
      const batch = this.#pending;
      this.#pending = [];
      this.metrics.ingest(batch);
    });
  }

  /**
   * The engine died: a run it was training is over in this process, but its folder (and last
   * checkpoint) stays and can be resumed. A new engine is asked what it runs.
   */
  private hostChanged(state: string, reason: string | undefined): void {
    const a = this.active;
    if ((state === 'exited' || state === 'disconnected' || state === 'failed') && a && this.running) {
      this.active = { ...a, state: 'failed', message: `The engine stopped during this run (${reason ?? state}). Its folder is kept: resume it from the Runs page.` };
    }
    if (state === 'ready') void this.refreshStatus().catch(() => undefined);
  }

  private receive(event: StudioEvent): void {
    if (event.type === 'host.state') {
      this.hostChanged(event.state, event.reason);
      return;
    }
    if (!event.type.startsWith('run.')) return;
    const a = this.active;
    if (!('runId' in event) || !event.runId) return;
    if (!a || a.runId !== event.runId) {
      // A run we have not seen (started elsewhere, or before this page loaded): pick it up.
      if (event.type === 'run.state' || event.type === 'run.started') void this.refreshStatus();
      return;
    }
    switch (event.type) {
      case 'run.prepare':
        this.active = { ...a, prepare: event.message, preparePhase: event.phase, prepareFraction: event.fraction };
        this.prepareStart = phaseStart(this.prepareStart, `${a.runId}:${event.phase}`, event.fraction);
        break;
      case 'run.issues':
        // The import's summary (counts by kind, first issues, report path) when there is anything to say.
        this.issues = event.issues.length === 0 ? [] : event.summary ?? event.issues.map((i) => `${i.file}: ${i.message}`);
        break;
      case 'run.started':
        this.active = { ...a, prepare: undefined, preparePhase: undefined, prepareFraction: undefined, parameters: event.parameters, memoryBytes: event.memoryBytes, model: event.model, totalSteps: event.totalSteps };
        break;
      case 'run.metrics':
        this.progress = event.progress;
        this.queue(chartRecords(event.records as RunMetricRecord[]));
        break;
      case 'run.eval':
        this.queue(chartRecords([event.record as RunMetricRecord]));
        break;
      case 'run.sample':
        this.samples = [...this.samples, { step: event.step, prompt: event.prompt, text: event.text }].slice(-50);
        break;
      case 'run.checkpoint':
        this.weightsVersion++;
        break;
      case 'run.attention':
        this.active = { ...a, attentionSteps: [...a.attentionSteps.filter((s) => s !== event.step), event.step].sort((x, y) => x - y) };
        this.snapshotVersion++;
        break;
      case 'run.state':
        this.active = { ...a, state: event.state, message: event.message };
        if (this.progress) this.progress = { ...this.progress, step: event.step };
        break;
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const states = new WeakMap<StudioApi, RunsState>();

/** The one RunsState of an API connection: it outlives page switches (pages come and go). */
export function runsStateFor(api: StudioApi): RunsState {
  let state = states.get(api);
  if (!state) {
    state = new RunsState(api);
    states.set(api, state);
    void state.init();
  }
  return state;
}
