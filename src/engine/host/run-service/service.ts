// The engine host's training service: at most one active run (a TrainingRun from the trainer),
// its events forwarded to the UI and remembered for a page that opens mid-run, attention
// snapshots of fixed sentences saved with the run at each checkpoint, and the run folders on disk
// (list, open, history, delete). Attention inspection runs on its own parameter copy, one job
// at a time per run, so it interleaves with training on the same device without touching it.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommandParams, StudioEvent } from '../../../protocol/index.ts';
import type { ActiveRun } from '../../../protocol/commands/run-status.ts';
import type { AttentionSettings, RunEntry, RunSample } from '../../../protocol/commands/run-types.ts';
import type { AttentionResult } from '../../../protocol/commands/attention-types.ts';
import { resolveTrainOptions, type TrainOptions } from '../../config/train-config';
import { SAMPLE_CORPUS_FILES } from '../../data/sample-corpus';
import type { GpuContext } from '../../gpu/device';
import type { ModelConfig } from '../../model/config';
import { buildParamLayout } from '../../model/params';
import { latestCheckpoint } from '../../runstore/checkpoints';
import { readMetrics, type MetricRecord } from '../../runstore/metrics-log';
import { loadTokenizer, type Tokenizer } from '../../tokenizers';
import { deserializeModel, initParams, METRICS_FILE, readRunConfig, TOKENIZER_FILE, TrainingRun, type RunRequest, type TrainerEvent } from '../../trainer';
import { AttentionInspector, inspectSentences, listSnapshots, readSnapshot, writeSnapshot, type AttentionSnapshot } from '../../inspect';
import { appendSample, describeRun, insideRunsDir, listRunDirs, readAttentionSettings, readSamples, writeAttentionSettings } from './folder';

/** Attention maps above this many bytes do not fit one message over the bridge (1 MiB, base64). */
const MAX_ATTENTION_BYTES = 600_000;
const SAMPLES_KEPT = 50;

interface Active {
  run: TrainingRun;
  info: ActiveRun;
  modelConfig: ModelConfig | null;
  /** The newest weights saved (a checkpoint, or the initial weights at step 0): the "live" model. */
  latest: { step: number; params: Float32Array } | null;
  tokenizer: Tokenizer | null;
  inspector: AttentionInspector | null;
  /** Inspection jobs of this run, one after another (they share the inspector). */
  chain: Promise<unknown>;
  done: boolean;
}

export interface RunServiceOptions {
  runsDir: string;
  assetsDir: string | undefined;
  gpu: () => Promise<GpuContext>;
  emit: (event: StudioEvent) => void;
}

type StartParams = CommandParams<'run.start'>;

export class RunService {
  private active: Active | null = null;
  private historyCache: { path: string; size: number; records: MetricRecord[] } | null = null;

  constructor(readonly opts: RunServiceOptions) {}

  get runsDir(): string {
    return this.opts.runsDir;
  }

  /**
   * A new run's options, as the CLI resolves them (resolveTrainOptions: defaults, preset, the
   * caller's keys, checked); then what only the host decides: the sample corpus when none is
   * given, its runs folder, and checkpoints at least as often as attention snapshots.
   */
  resolveOptions(params: StartParams): TrainOptions {
    const o = resolveTrainOptions(params.preset, params.options, 'run.start options');
    if (o.corpus.length === 0) {
      if (!this.opts.assetsDir) throw new Error('run.start: no corpus given and no built-in sample corpus (PRETRAIN_STUDIO_ASSETS is not set)');
      o.corpus = SAMPLE_CORPUS_FILES.filter((f) => f.endsWith('.txt')).map((f) => join(this.opts.assetsDir!, 'sample-corpus', f));
    }
    o.runsDir = this.runsDir; // the runs list looks here
    if (params.attention) o.checkpointEvery = Math.min(o.checkpointEvery, params.attention.every);
    return o;
  }

  async start(params: StartParams): Promise<{ runId: string; runDir: string }> {
    this.refuseIfBusy();
    const options = this.resolveOptions(params);
    return this.launch({ kind: 'new', options }, params.attention ?? null);
  }

  async resume(params: { runId: string } | { runDir: string; steps?: number }): Promise<{ runId: string; runDir: string }> {
    if ('runId' in params) {
      const a = this.activeRun(params.runId);
      a.run.resume();
      return { runId: a.info.runId, runDir: a.info.runDir };
    }
    this.refuseIfBusy();
    const runDir = insideRunsDir(this.runsDir, params.runDir);
    if (latestCheckpoint(runDir) === undefined) throw new Error(`${runDir} has no checkpoint to resume from`);
    return this.launch({ kind: 'resume', runDir, steps: params.steps }, readAttentionSettings(runDir));
  }

  pause(runId: string): { runId: string; state: ActiveRun['state'] } {
    const a = this.activeRun(runId);
    a.run.pause();
    return { runId, state: a.run.state };
  }

  stop(runId: string): { runId: string; state: ActiveRun['state'] } {
    const a = this.activeRun(runId);
    a.run.stop();
    return { runId, state: a.run.state };
  }

  status(): { active: ActiveRun | null; runsDir: string } {
    return { active: this.active ? { ...this.active.info } : null, runsDir: this.runsDir };
  }

  list(): { runsDir: string; runs: RunEntry[] } {
    const runs: RunEntry[] = [];
    for (const dir of listRunDirs(this.runsDir)) {
      try {
        runs.push(this.describe(dir));
      } catch {
        // A folder that is not (yet) a readable run: leave it out of the list.
      }
    }
    return { runsDir: this.runsDir, runs };
  }

  open(runDir: string): { run: RunEntry; options: Record<string, unknown>; samples: RunSample[]; attention: AttentionSettings | null } {
    const dir = insideRunsDir(this.runsDir, runDir);
    const run = this.describe(dir);
    let options: Record<string, unknown> = {};
    try {
      options = { ...readRunConfig(dir).pretrain_studio.options };
    } catch {
      // still preparing: no config.json yet
    }
    return { run, options, samples: readSamples(dir), attention: readAttentionSettings(dir) };
  }

  history(runDir: string, offset = 0, limit = 2000): { records: MetricRecord[]; total: number; next: number | null } {
    const path = join(insideRunsDir(this.runsDir, runDir), METRICS_FILE);
    let size = -1;
    try {
      size = statSync(path).size;
    } catch {
      return { records: [], total: 0, next: null };
    }
    if (this.historyCache?.path !== path || this.historyCache.size !== size) this.historyCache = { path, size, records: readMetrics(path) };
    const all = this.historyCache.records;
    const records = all.slice(offset, offset + limit).map(finiteOnly);
    const end = offset + records.length;
    return { records, total: all.length, next: end < all.length ? end : null };
  }

  delete(runDir: string): { deleted: string } {
    const dir = insideRunsDir(this.runsDir, runDir);
    if (this.active && isLive(this.active) && resolve(this.active.info.runDir) === dir) {
      throw new Error(`${dir} is the active run: stop it before deleting it`);
    }
    rmSync(dir, { recursive: true, force: true });
    return { deleted: dir };
  }

  snapshots(runDir: string): { steps: number[]; sentences: string[]; every: number | null } {
    const dir = insideRunsDir(this.runsDir, runDir);
    const settings = readAttentionSettings(dir);
    return { steps: listSnapshots(dir), sentences: settings?.sentences ?? [], every: settings?.every ?? null };
  }

  snapshot(runDir: string, step: number): AttentionResult {
    const dir = insideRunsDir(this.runsDir, runDir);
    return toResult(readSnapshot(dir, step), tokenizerKind(dir), modelKind(dir));
  }

  /** Attention of sentences under the live model (the active run's newest weights) or a checkpoint. */
  async inspect(source: { kind: 'live' } | { kind: 'checkpoint'; runDir: string; step?: number }, sentences: string[]): Promise<AttentionResult> {
    if (source.kind === 'live') {
      const a = this.active;
      if (!a) throw new Error('attention.inspect: no training run is active (choose a checkpoint instead)');
      const job = async () => {
        if (!a.latest || !a.modelConfig || !a.tokenizer) throw new Error('attention.inspect: the live model has no weights yet (the run is still preparing its data)');
        a.inspector ??= new AttentionInspector(await this.opts.gpu(), a.modelConfig);
        a.inspector.setParams(a.latest.params);
        return inspectSentences(a.inspector, a.tokenizer, sentences, a.latest.step);
      };
      const result = (a.chain = a.chain.then(job, job)) as Promise<AttentionSnapshot>;
      return toResult(await result, tokenizerKind(a.info.runDir), a.modelConfig?.kind);
    }
    const dir = insideRunsDir(this.runsDir, source.runDir);
    const step = source.step ?? latestCheckpoint(dir);
    if (step === undefined) throw new Error(`${dir} has no checkpoint yet`);
    const model = readRunConfig(dir).pretrain_studio.model;
    const tokenizer = await loadTokenizer(join(dir, TOKENIZER_FILE));
    const inspector = new AttentionInspector(await this.opts.gpu(), model);
    try {
      const modelPath = join(dir, 'checkpoints', `step-${step}`, 'model.safetensors');
      inspector.setParams(deserializeModel(inspector.layout, readFileSync(modelPath), modelPath));
      return toResult(await inspectSentences(inspector, tokenizer, sentences, step), tokenizer.kind, model.kind);
    } finally {
      inspector.destroy();
    }
  }

  // --- the active run

  private refuseIfBusy(): void {
    const a = this.active;
    if (a && isLive(a)) throw Object.assign(new Error(`A run is already active (${a.info.name}, ${a.info.state}): stop it first`), { name: 'RunActive' });
  }

  private activeRun(runId: string): Active {
    const a = this.active;
    if (!a || a.info.runId !== runId) throw Object.assign(new Error(`no active run ${runId}`), { name: 'NoSuchRun' });
    return a;
  }

  private describe(dir: string): RunEntry {
    const entry = describeRun(dir);
    const a = this.active;
    if (a && isLive(a) && resolve(a.info.runDir) === resolve(dir)) return { ...entry, status: a.info.state, step: a.info.progress?.step ?? entry.step };
    return entry;
  }

  private async launch(request: RunRequest, attention: AttentionSettings | null): Promise<{ runId: string; runDir: string }> {
    const ctx = await this.opts.gpu();
    let active: Active | null = null;
    const run = new TrainingRun(ctx, request, {
      cacheDir: join(this.runsDir, '.cache'),
      onEvent: (event) => active && this.receive(active, event),
    });
    active = {
      run,
      info: {
        runId: run.runId, runDir: '', name: '', state: 'preparing', objective: 'clm', parameters: 0, memoryBytes: 0, model: null,
        totalSteps: 0, progress: null, samples: [], attention, attentionSteps: [],
      },
      modelConfig: null, latest: null, tokenizer: null, inspector: null, chain: Promise.resolve(), done: false,
    };
    const finished = run.start();
    if (!run.runDir) {
      // It failed before choosing its folder (bad options): report that to the caller.
      await finished;
      throw new Error('run.start: the run ended before it started');
    }
    const a = active;
    a.info.runDir = run.runDir;
    a.info.name = run.runDir.split(/[\\/]/).pop() ?? run.runDir;
    a.info.totalSteps = run.options.steps;
    a.info.objective = run.options.objective;
    if (request.kind === 'resume') {
      a.info.samples = readSamples(run.runDir).slice(-SAMPLES_KEPT);
      a.info.attentionSteps = listSnapshots(run.runDir);
    }
    if (attention) writeAttentionSettings(run.runDir, attention);
    this.active = a;
    void finished
      .catch(() => undefined) // the trainer has said why in a run.state 'failed' event
      .then(() => a.chain.catch(() => undefined))
      .then(() => {
        a.done = true;
        a.inspector?.destroy();
        a.inspector = null;
      });
    return { runId: run.runId, runDir: run.runDir };
  }

  private receive(a: Active, event: TrainerEvent): void {
    const info = a.info;
    switch (event.type) {
      case 'run.prepare':
        info.prepare = event.message;
        break;
      case 'run.started':
        info.parameters = event.parameters;
        info.memoryBytes = event.memoryBytes;
        info.totalSteps = event.totalSteps;
        info.model = { ...event.model };
        a.modelConfig = event.model;
        info.prepare = undefined;
        this.onStarted(a, event.startStep);
        break;
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
        this.safely(() => {
          const modelPath = join(event.path, 'model.safetensors');
          const layout = buildParamLayout(a.modelConfig!);
          a.latest = { step: event.step, params: deserializeModel(layout, readFileSync(modelPath), modelPath) };
          this.snapshotLatest(a);
        });
        break;
      case 'run.state':
        info.state = event.state;
        info.message = event.message;
        if (info.progress) info.progress = { ...info.progress, step: event.step };
        break;
    }
    this.opts.emit(sanitize(event));
  }

  /** The starting weights are the "live" model until the first checkpoint, and snapshot step 0. */
  private onStarted(a: Active, startStep: number): void {
    const runDir = a.info.runDir;
    const tokenizerReady = loadTokenizer(join(runDir, TOKENIZER_FILE)).then((t) => (a.tokenizer = t));
    a.chain = a.chain.then(() => tokenizerReady).catch((error: unknown) => this.warn(a, `could not load the tokenizer for attention: ${String(error)}`));
    this.safely(() => {
      const layout = buildParamLayout(a.modelConfig!);
      if (startStep === 0) {
        a.latest = { step: 0, params: initParams(layout, a.run.options.seed) };
      } else {
        const modelPath = join(runDir, 'checkpoints', `step-${startStep}`, 'model.safetensors');
        a.latest = { step: startStep, params: deserializeModel(layout, readFileSync(modelPath), modelPath) };
      }
      if (startStep === 0 || !a.info.attentionSteps.includes(startStep)) this.snapshotLatest(a);
    });
  }

  private snapshotLatest(a: Active): void {
    const settings = a.info.attention;
    const latest = a.latest;
    if (!settings || !latest || !a.modelConfig) return;
    const config = a.modelConfig;
    a.chain = a.chain
      .then(async () => {
        if (!a.tokenizer) return;
        a.inspector ??= new AttentionInspector(await this.opts.gpu(), config);
        a.inspector.setParams(latest.params);
        const snap = await inspectSentences(a.inspector, a.tokenizer, settings.sentences, latest.step);
        writeSnapshot(a.info.runDir, snap);
        if (!a.info.attentionSteps.includes(latest.step)) a.info.attentionSteps = [...a.info.attentionSteps, latest.step].sort((x, y) => x - y);
        this.opts.emit({ type: 'run.attention', runId: a.info.runId, step: latest.step });
      })
      .catch((error: unknown) => this.warn(a, `attention snapshot at step ${latest.step} failed: ${error instanceof Error ? error.message : String(error)}`));
  }

  private safely(work: () => void): void {
    try {
      work();
    } catch (error) {
      if (this.active) this.warn(this.active, error instanceof Error ? error.message : String(error));
    }
  }

  private warn(a: Active, message: string): void {
    this.opts.emit({ type: 'host.log', level: 'warn', message, runId: a.info.runId });
  }
}

/** Still training (or about to): its folder is in use. Snapshot jobs may still finish after this. */
function isLive(a: Active): boolean {
  return !a.done && !['finished', 'stopped', 'failed'].includes(a.info.state);
}

/** NaN and infinities become absent (JSON would turn them into null, which the schemas refuse). */
function finiteOnly(record: MetricRecord): MetricRecord {
  const out: MetricRecord = { step: record.step, time: record.time, split: record.split };
  for (const [k, v] of Object.entries(record)) if (typeof v === 'string' || Number.isFinite(v)) out[k] = v;
  return out;
}

function sanitize(event: TrainerEvent): StudioEvent {
  if (event.type === 'run.metrics') {
    const loss = event.progress.loss;
    return { ...event, records: event.records.map(finiteOnly), progress: { ...event.progress, loss: Number.isFinite(loss) ? loss : null } };
  }
  if (event.type === 'run.eval') return { ...event, record: finiteOnly(event.record) };
  if (event.type === 'run.started') return { ...event, model: { ...event.model } };
  return event as StudioEvent;
}

function tokenizerKind(runDir: string): string {
  try {
    return readRunConfig(runDir).pretrain_studio.tokenizer.kind;
  } catch {
    return 'char';
  }
}

function modelKind(runDir: string): string | undefined {
  try {
    return readRunConfig(runDir).pretrain_studio.model.kind;
  } catch {
    return undefined;
  }
}

/** The engine's maps as the wire carries them; `modelKind` names the attention (decoder or encoder self). */
function toResult(snap: AttentionSnapshot, kind: string, modelKind = 'decoder'): AttentionResult {
  const bytes = snap.sentences.reduce((n, s) => n + s.layers.reduce((m, l) => m + l.byteLength, 0), 0);
  if (bytes > MAX_ATTENTION_BYTES) {
    throw new Error(`attention maps of ${snap.sentences.length} sentence(s) take ${bytes} bytes, over the ${MAX_ATTENTION_BYTES}-byte message limit: inspect fewer or shorter sentences`);
  }
  return {
    step: snap.step,
    nLayer: snap.nLayer,
    nHead: snap.nHead,
    scheme: kind === 'bpe' ? 'byte-level' : kind === 'wordpiece' ? 'wordpiece' : 'plain',
    kind: modelKind === 'encoder' ? 'encoder self' : 'decoder self',
    sentences: snap.sentences.map((s) => ({ text: s.text, ids: s.ids, tokens: s.tokens, layers: s.layers })),
  };
}
