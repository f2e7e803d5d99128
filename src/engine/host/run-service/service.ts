// The engine host's training service, composed of its three concerns: the run folders on disk
// (RunFolders: list, open, history, delete, saved snapshots), the one active run (LiveRun: the
// trainer, its events and what the Train page shows) and that run's attention snapshotter
// (RunSnapshotter, owned by the LiveRun). This class decides only what joins them: one run at a
// time, the options of a new run, and where an inspection request goes.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CommandParams, StudioEvent } from '../../../protocol/index.ts';
import type { ActiveRun } from '../../../protocol/commands/run-status.ts';
import type { AttentionSettings, RunEntry, RunSample } from '../../../protocol/commands/run-types.ts';
import type { AttentionResult } from '../../../protocol/commands/attention-types.ts';
import type { CompareSource } from '../../../protocol/commands/attention-compare.ts';
import { resolveTrainOptions, type TrainOptions } from '../../config/train-config';
import { SAMPLE_CORPUS_FILES } from '../../data/sample-corpus';
import type { GpuContext } from '../../gpu/device';
import { latestCheckpoint, listCheckpoints } from '../../runstore/checkpoints';
import { readRunConfig } from '../../train/index.ts';
import type { MetricRecord } from '../../runstore/metrics-log';
import type { RunRequest } from '../../train/index.ts';
import { readAttentionSettings } from './folder';
import { DEMO_SUBDIR } from '../../runstore/demo-runs.ts';
import { classifierLayout, FINETUNE_DEFAULTS, loadLabeledData, type FineTuneOptions, type LabeledData } from '../../finetune/run';
import { resumeRequest } from '../../finetune/resume';
import { checkRowsPerClass } from '../../finetune/preview';
import { parseScope } from '../../finetune/scope';
import { LORA_DEFAULTS } from '../../model/lora';
import { FineTuneRun, labeledOptions, namedAs } from './finetune-run';
import { LiveRun } from './live-run';
import { attentionResult, RunFolders } from './run-folders';

export interface RunServiceOptions {
  runsDir: string;
  assetsDir: string | undefined;
  gpu: () => Promise<GpuContext>;
  emit: (event: StudioEvent) => void;
}

type StartParams = CommandParams<'run.start'>;
type FineTuneParams = CommandParams<'finetune.start'>;

export class RunService {
  private active: LiveRun | null = null;
  private readonly folders: RunFolders;

  constructor(readonly opts: RunServiceOptions) {
    const demoDir = opts.assetsDir ? join(opts.assetsDir, DEMO_SUBDIR) : undefined;
    this.folders = new RunFolders(opts.runsDir, opts.gpu, (dir) => this.active?.liveState(dir) ?? null, demoDir);
  }

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
    // The app's attention settings become the run's own options: the trainer snapshots them at each checkpoint.
    if (params.attention) {
      o.checkpointEvery = Math.min(o.checkpointEvery, params.attention.every);
      o.attentionSentences = [...params.attention.sentences];
      o.attentionSnapshots = true;
    } else if (params.attention === null) {
      o.attentionSnapshots = false;
    }
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
    const runDir = this.folders.writable(params.runDir);
    if (latestCheckpoint(runDir) === undefined) throw new Error(`${runDir} has no checkpoint to resume from`);
    if ('finetune' in readRunConfig(runDir).pretrain_studio) {
      // A fine-tune resumes from its own request (the labeled files where they were) and resume state.
      const { options } = resumeRequest(runDir, params.steps);
      const live = await this.launchFineTune(options, loadLabeledData(options), true);
      return { runId: live.info.runId, runDir: live.info.runDir };
    }
    return this.launch({ kind: 'resume', runDir, steps: params.steps }, readAttentionSettings(runDir));
  }

  /**
   * Fine-tunes a classifier on a run folder's checkpoint as the active run (the labeled file read,
   * split and checked first, so a bad file is refused here); with `compare`, the same architecture
   * from random initialisation follows on the same rows and budget once the first has finished.
   */
  async fineTune(params: FineTuneParams): Promise<{ runId: string; runDir: string; compareRunDir: string | null }> {
    this.refuseIfBusy();
    const from = this.folders.inside(params.runDir);
    const base: FineTuneOptions = {
      ...FINETUNE_DEFAULTS, ...labeledOptions(params), from, checkpoint: params.checkpoint, scope: parseScope(params.scope, { ...LORA_DEFAULTS, ...params.lora }),
      pooling: params.pooling ?? 'cls', steps: params.steps, lr: params.lr, layerDecay: params.layerDecay ?? FINETUNE_DEFAULTS.layerDecay, batchSize: params.batchSize, evalEvery: params.evalEvery ?? Math.max(1, Math.ceil(params.steps / 10)),
      warmupSteps: Math.min(FINETUNE_DEFAULTS.warmupSteps, Math.floor(params.steps / 10)), maxLength: params.maxLength ?? FINETUNE_DEFAULTS.maxLength,
      runsDir: this.runsDir, name: '',
    };
    let data;
    try {
      data = loadLabeledData(base);
      checkRowsPerClass(data, base);
    } catch (error) {
      throw new Error(namedAs((error as Error).message, params.path, params.name), { cause: error });
    }
    // What would fail only once the run has started is refused now: the scope on this model, the checkpoint.
    classifierLayout(readRunConfig(from).pretrain_studio.model, data.labels.id2label.length, base.scope, base.pooling);
    const checkpoints = listCheckpoints(from);
    if (checkpoints.length === 0) throw new Error(`${from} has no checkpoint to fine-tune from`);
    if (params.checkpoint > 0 && !checkpoints.includes(params.checkpoint)) throw new Error(`${from} has no checkpoint step-${params.checkpoint} (it has: ${checkpoints.join(', ')})`);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const taken = new Set<string>();
    const nameFor = (init: string): string => {
      const stem = `classify-${basename(from)}-${init}-${stamp}`;
      let name = stem;
      for (let i = 2; existsSync(join(this.runsDir, name)) || taken.has(name); i++) name = `${stem}-${i}`;
      taken.add(name);
      return name;
    };
    const first: FineTuneOptions = { ...base, init: 'pretrained', name: nameFor('pretrained') };
    const second: FineTuneOptions | null = params.compare ? { ...base, init: 'scratch', name: nameFor('scratch') } : null;
    const live = await this.launchFineTune(first, data, false);
    if (second) {
      const firstRun = live;
      void firstRun.ended.then(async () => {
        // Only after a finished first run, and only if nothing else has started meanwhile.
        if (firstRun.info.state !== 'finished' || this.active !== firstRun) return;
        try {
          await this.launchFineTune(second, data, false);
        } catch (error) {
          this.opts.emit({ type: 'host.log', level: 'error', message: `the from-scratch comparison did not start: ${(error as Error).message}` });
        }
      });
    }
    return { runId: live.info.runId, runDir: live.info.runDir, compareRunDir: second ? join(this.runsDir, second.name) : null };
  }

  /** A fine-tune as the active run (`resumed`: continuing its stopped folder). */
  private async launchFineTune(o: FineTuneOptions, data: LabeledData, resumed: boolean): Promise<LiveRun> {
    const ctx = await this.opts.gpu();
    const started = await LiveRun.launchTrainer(
      (onEvent) => new FineTuneRun(ctx, o, data, onEvent, (message, runId) => this.opts.emit({ type: 'host.log', level: 'info', message, runId }), resumed),
      'classify', resumed, null, { gpu: this.opts.gpu, emit: this.opts.emit },
    );
    this.active = started;
    return started;
  }

  /** A run folder inside the runs directory (an error naming it otherwise). */
  inside(runDir: string): string {
    return this.folders.inside(runDir);
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
    return this.folders.list();
  }

  open(runDir: string): { run: RunEntry; options: Record<string, unknown>; samples: RunSample[]; attention: AttentionSettings | null } {
    return this.folders.open(runDir);
  }

  history(runDir: string, offset?: number, limit?: number): { records: MetricRecord[]; total: number; next: number | null } {
    return this.folders.history(runDir, offset, limit);
  }

  delete(runDir: string): { deleted: string } {
    return this.folders.delete(runDir);
  }

  snapshots(runDir: string): { steps: number[]; sentences: string[]; every: number | null } {
    return this.folders.snapshots(runDir);
  }

  snapshot(runDir: string, step: number): AttentionResult {
    return this.folders.snapshot(runDir, step);
  }

  heads(runDir: string, step: number): ReturnType<RunFolders['heads']> {
    return this.folders.heads(runDir, step);
  }

  compare(a: CompareSource, b: CompareSource, sentence: string): ReturnType<RunFolders['compare']> {
    return this.folders.compare(a, b, sentence);
  }

  /** Attention of sentences under the live model (the active run's newest weights) or a saved checkpoint. */
  async inspect(source: { kind: 'live' } | { kind: 'checkpoint'; runDir: string; step?: number }, sentences: string[]): Promise<AttentionResult> {
    if (source.kind === 'checkpoint') return this.folders.inspectCheckpoint(source.runDir, source.step, sentences);
    const a = this.active;
    if (!a) throw new Error('attention.inspect: no training run is active (choose a checkpoint instead)');
    if (!a.snapshotter) throw new Error('attention.inspect: the live model has no weights yet (the run is still preparing its data)');
    return attentionResult(await a.snapshotter.inspectLive(sentences), a.info.runDir);
  }

  private refuseIfBusy(): void {
    const a = this.active;
    if (a?.isLive) throw Object.assign(new Error(`A run is already active (${a.info.name}, ${a.info.state}): stop it first`), { name: 'RunActive' });
  }

  private activeRun(runId: string): LiveRun {
    const a = this.active;
    if (!a || a.info.runId !== runId) throw Object.assign(new Error(`no active run ${runId}`), { name: 'NoSuchRun' });
    return a;
  }

  private async launch(request: RunRequest, attention: AttentionSettings | null): Promise<{ runId: string; runDir: string }> {
    const live = await LiveRun.launch(request, attention, { gpu: this.opts.gpu, emit: this.opts.emit }, join(this.runsDir, '.cache'));
    this.active = live;
    return { runId: live.info.runId, runDir: live.info.runDir };
  }
}
