// One training run, start to finish (nanoGPT's train.py as an object the host can drive):
//   prepare data → tokenizer → shards → model + recorded step → loop:
//     batch (a pure function of (seed, step): resumes draw the same batches) → LR of the step →
//     replayed step → metrics read a step or two late → eval / samples / checkpoints on schedule
// Everything that depends on the objective (the model family, the batches, the metric names,
// the samples, config.json's Hugging Face keys) comes from its registry entry.
// pause(), resume() and stop() take effect between steps: a pending GPU call is never abandoned.
// A stop saves a checkpoint, so `resume` continues exactly where it left off.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { modelConfigFor, paramLayoutFor, validateTrainOptions, type TrainOptions } from '../config/train-config';
import { batchRng, mixSeed } from '../data';
import type { GpuContext } from '../gpu/device';
import type { ParamLayout } from '../model/params';
import { learningRate, type LrSchedule } from '../optim/schedule';
import { latestCheckpoint, readCheckpoint, writeCheckpoint } from '../runstore/checkpoints';
import { appendMetrics, truncateMetrics, type MetricRecord } from '../runstore/metrics-log';
import { writeJsonAtomic } from '../runstore/atomic';
import { TrainStep, type MicroBatch } from './step';
import type { RunProgress, RunState, TrainerEvent, TrainerEventSink } from './events';
import { runConfigJson, type StudioBlock } from './hf-config';
import { prepareData, type RunData } from './prepare';
import { keepShardsWithRun, openRunShards } from './run-shards';
import { createRunDir, discardUnstartedRun, METRICS_FILE, readRunConfig, writeRunConfig } from './run-folder';
import { loadRunTokenizers, type RunTokenizers, saveRunTokenizers, TARGET_TOKENIZER_FILE } from './run-tokenizers';
import { termMetrics, trainableObjective, type Collator, type EvalSampler, type EvalScorer, type TrainableObjective } from '../objectives/index.ts';
import { describeLoad, deserializeModel, deserializeOptimizer, serializeModel, serializeOptimizer } from './weights-io';
import { initParams } from './init';
import { AttentionProbes } from './attention-probes';
import { PAIR_SEPARATOR } from '../inspect/sentences';
import { heldOutPairs } from '../objectives/seq2seq-scores.ts';
import type { Seq2SeqTokenizers } from '../tokenizers';

export type RunRequest =
  /** A new run from resolved options (a preset plus overrides). */
  | { kind: 'new'; options: TrainOptions }
  /** Continue runs/<name> from its latest checkpoint; `steps` raises (or lowers) the total. */
  | { kind: 'resume'; runDir: string; steps?: number };

export interface TrainingRunOptions {
  onEvent?: TrainerEventSink;
  /** Imported corpora and token shards (default <runsDir>/.cache). */
  cacheDir?: string;
  /** Least time between two run.metrics events (default 250 ms). */
  eventIntervalMs?: number;
  /** GPU memory the run may use, for the fit check (WebGPU reports none). */
  memoryBudgetBytes?: number;
}

export interface RunSummary {
  runId: string;
  runDir: string;
  state: 'finished' | 'stopped';
  step: number;
  totalSteps: number;
  /** Validation loss at each evaluation of this session. */
  evals: { step: number; valLoss: number }[];
  /** Train loss of each step of this session, in order (read back from the GPU). */
  losses: { step: number; loss: number }[];
  elapsedMs: number;
  /** Training tokens per second over this session (evaluation, samples and checkpoints excluded). */
  tokensPerSecond: number;
}

/** Time spent training, apart from evaluation, samples, checkpoints and pauses. */
class Stopwatch {
  private total = 0;
  private since: number | null = null;
  start(): void { this.since ??= performance.now(); }
  stop(): void { if (this.since !== null) { this.total += performance.now() - this.since; this.since = null; } }
  get ms(): number { return this.total + (this.since === null ? 0 : performance.now() - this.since); }
}

export class TrainingRun {
  readonly runId = randomUUID();
  state: RunState = 'preparing';
  runDir = '';
  step = 0;
  options!: TrainOptions;

  private readonly abort = new AbortController();
  private stopRequested = false;
  private pauseRequested = false;
  private wake: (() => void) | null = null;
  private readonly emitRaw: TrainerEventSink;
  private readonly eventIntervalMs: number;

  private data!: RunData;
  private layout!: ParamLayout;
  private trainStep: TrainStep | null = null;
  /** The objective's registry entry: its model, batches, metric names and config.json keys. */
  private objective!: TrainableObjective;
  private collator!: Collator;
  private samples: EvalSampler | null = null;
  /** Validation scores beyond the loss (seq2seq: BLEU and chrF), null when the objective has none. */
  private scorer: EvalScorer | null = null;
  /** The probe sentences snapshotted at each checkpoint (null: attentionSnapshots off). */
  private probes: AttentionProbes | null = null;
  private metricsPath = '';
  private startStep = 0;
  private elapsedBefore = 0;
  private startedAt = 0;
  private readonly clock = new Stopwatch();
  private readonly submitClock = new Map<number, number>();
  private seenMetrics = 0;
  private lastLogged: { step: number; clock: number } | null = null;
  private pending: MetricRecord[] = [];
  private lastEmit = 0;
  private latestLoss = NaN;
  private msPerStep = NaN;
  private bestValLoss: number | undefined;
  private readonly evals: RunSummary['evals'] = [];
  private readonly losses: RunSummary['losses'] = [];

  constructor(
    readonly ctx: GpuContext,
    readonly request: RunRequest,
    readonly opts: TrainingRunOptions = {},
  ) {
    this.emitRaw = opts.onEvent ?? (() => {});
    this.eventIntervalMs = opts.eventIntervalMs ?? 250;
  }

  /** Finish the current step, then wait until resume() or stop(). */
  pause(): void {
    if (this.state === 'running') this.pauseRequested = true;
  }

  resume(): void {
    this.pauseRequested = false;
    this.wake?.();
  }

  /** Finish the current step, save a checkpoint, end. Aborts data preparation if still there. */
  stop(): void {
    this.stopRequested = true;
    this.abort.abort();
    this.wake?.();
  }

  private emit(event: TrainerEvent): void {
    try {
      this.emitRaw(event);
    } catch {
      // A failing listener must not kill the run.
    }
  }

  private setState(state: RunState, message?: string): void {
    this.state = state;
    this.emit({ type: 'run.state', runId: this.runId, state, step: this.step, ...(message ? { message } : {}) });
  }

  /** Runs to the end (or a stop) and resolves with a summary; rejects if the run fails. */
  async start(): Promise<RunSummary> {
    if (this.startedAt) throw new Error('TrainingRun.start: a run starts once; create a new TrainingRun (or resume the folder)');
    this.startedAt = performance.now();
    this.setState('preparing');
    try {
      await this.setup();
      if (this.stopRequested) {
        this.stoppedWhilePreparing();
      } else {
        await this.loop();
      }
      return this.summary();
    } catch (err) {
      if (this.stopRequested && this.trainStep === null) {
        this.stoppedWhilePreparing();
        return this.summary();
      }
      this.setState('failed', (err as Error).message);
      throw err;
    } finally {
      this.samples?.destroy();
      this.scorer?.destroy();
      this.probes?.destroy();
      this.trainStep?.destroy();
      this.samples = null;
      this.scorer = null;
      this.probes = null;
      this.trainStep = null;
    }
  }

  /**
   * A stop before the first step: import, tokenizer and shard building were aborted (their caches
   * keep only finished entries). A new run's folder is removed, since it holds no step to resume;
   * a resumed run's folder is as it was.
   */
  private stoppedWhilePreparing(): void {
    let message = 'stopped while preparing data';
    if (this.request.kind === 'new' && this.runDir) {
      try {
        discardUnstartedRun(this.runDir);
        message += existsSync(this.runDir) ? `; removed what the run had written to ${this.runDir}` : `; its folder ${this.runDir} was removed`;
      } catch (error) {
        message += `; its folder ${this.runDir} could not be removed: ${(error as Error).message}`;
      }
    }
    this.setState('stopped', message);
  }

  private summary(): RunSummary {
    const trainMs = this.clock.ms;
    const o = this.options;
    const tokens = o ? (this.step - this.startStep) * o.batchSize * o.blockSize * o.gradAccum : 0;
    return {
      runId: this.runId,
      runDir: this.runDir,
      state: this.state === 'finished' ? 'finished' : 'stopped',
      step: this.step,
      totalSteps: o?.steps ?? 0,
      evals: this.evals,
      losses: this.losses,
      elapsedMs: this.elapsedBefore + (performance.now() - this.startedAt),
      tokensPerSecond: trainMs > 0 ? tokens / (trainMs / 1000) : 0,
    };
  }

  private async setup(): Promise<void> {
    const prepare = (o: TrainOptions, tokenizers?: RunTokenizers) =>
      prepareData(o, {
        cacheDir: this.opts.cacheDir,
        tokenizer: tokenizers?.source,
        targetTokenizer: tokenizers?.separate ? tokenizers.target : undefined,
        signal: this.abort.signal,
        onProgress: (p) => this.emit({ type: 'run.prepare', runId: this.runId, ...p }),
        // At once, not when training starts: a run that stops before (too little text) still says why.
        onImported: (i) => this.emit({ type: 'run.issues', runId: this.runId, issues: i.manifest.issues, summary: i.summary }),
      });
    let studio: StudioBlock;
    if (this.request.kind === 'new') {
      const o = validateTrainOptions({ ...this.request.options, corpus: [...this.request.options.corpus] });
      this.objective = trainableObjective(o.objective);
      // Absolute paths in config.json: a resume from another working directory finds the same files.
      o.runsDir = resolve(o.runsDir);
      o.corpus = o.corpus.map((p) => resolve(p));
      this.options = o;
      this.runDir = createRunDir(o);
      const prepared = await prepare(o);
      this.data = prepared;
      const tok = prepared.tokenizer;
      const target = prepared.targetTokenizer;
      saveRunTokenizers(this.runDir, tok, target);
      const model = modelConfigFor(o, tok.vocabSize, target?.vocabSize);
      this.layout = paramLayoutFor(o, model);
      const { manifest, shards, train, val } = prepared;
      keepShardsWithRun(this.runDir, shards.dir);
      studio = {
        version: 1,
        objective: o.objective,
        options: o,
        model,
        data: {
          inputs: o.corpus, corpusHash: manifest.contentHash, documents: manifest.stats.documents, characters: manifest.stats.characters,
          shardKey: shards.meta.key, shardDir: shards.dir, tokens: shards.meta.numTokens, trainTokens: train.tokens, valTokens: val.tokens,
          split: o.split === 'tail' ? `last ${o.valFraction} of the token stream` : `${o.valFraction} of documents (seeded)`,
        },
        tokenizer: { kind: tok.kind, vocabSize: tok.vocabSize, hash: tok.hash, ...(target ? { target: { vocabSize: target.vocabSize, hash: target.hash } } : {}) },
        parameters: this.layout.count,
        createdAt: new Date().toISOString(),
      };
      writeJsonAtomic(join(this.runDir, 'data', 'shards.json'), { dir: shards.dir, key: shards.meta.key, meta: shards.meta });
    } else {
      this.runDir = this.request.runDir;
      const config = readRunConfig(this.runDir);
      studio = config.pretrain_studio;
      if (studio.data.split === 'imported') {
        throw new Error(`${this.runDir} is a Hugging Face checkpoint imported as a run: it has no corpus of its own to resume on. Fine-tune it (npm run finetune -- --run ${this.runDir} …), prompt it, or train a new run`);
      }
      const o = validateTrainOptions({ ...studio.options, ...(this.request.steps !== undefined ? { steps: this.request.steps } : {}) }, `${this.runDir}/config.json options`);
      this.objective = trainableObjective(o.objective);
      if (studio.model.kind !== this.objective.modelKind) {
        throw new Error(`${this.runDir}: the run's model is a ${studio.model.kind}, but objective '${o.objective}' trains a ${this.objective.modelKind}`);
      }
      this.options = o;
      const toks = await loadRunTokenizers(this.runDir);
      if (studio.tokenizer.target && !toks.separate) throw new Error(`${this.runDir}: config.json says the run has a target tokenizer of its own, but ${TARGET_TOKENIZER_FILE} is missing`);
      // The run's own shards when it has them (a copied or moved folder resumes without its
      // corpus); else, for runs made before they were kept, the corpus again, from where it was.
      const own = await openRunShards(this.runDir, studio.data.shardKey, o, toks);
      if (!own) {
        const missing = o.corpus.filter((p) => !existsSync(p));
        if (missing.length) {
          throw new Error(`${this.runDir} keeps no token shards of its own (it was made before runs kept them), and its corpus is not here: ${missing.join(', ')}. Put the corpus back at that path to resume it`);
        }
      }
      this.data = own ?? (await prepare(o, toks));
      if (this.data.shards.meta.key !== studio.data.shardKey) {
        throw new Error(`${this.runDir}: the corpus changed since this run started (token shards ${this.data.shards.meta.key.slice(0, 16)}, the run used ${studio.data.shardKey.slice(0, 16)}); resuming would not continue the same data`);
      }
      if (!own) keepShardsWithRun(this.runDir, this.data.shards.dir);
      this.layout = paramLayoutFor(o, studio.model);
      studio = { ...studio, options: o };
    }
    const tok = this.data.tokenizer;
    writeRunConfig(this.runDir, runConfigJson(studio, this.objective.hfConfig(studio.model, tok)));
    if (this.stopRequested) return;

    const o = this.options;
    const step = new TrainStep(this.ctx, this.layout, {
      batch: this.objective.batchShape(o),
      microSteps: o.gradAccum,
      adamw: { beta1: o.beta1, beta2: o.beta2, eps: 1e-8, weightDecay: o.weightDecay },
      gradClip: o.gradClip,
      memoryBudgetBytes: this.opts.memoryBudgetBytes,
    });
    this.trainStep = step;
    if (step.graph.lossTerms.length !== this.objective.lossTerms.length) {
      throw new Error(`objective '${o.objective}' names ${this.objective.lossTerms.length} loss terms (${this.objective.lossTerms.join(', ')}); its ${this.layout.config.kind} graph has ${step.graph.lossTerms.length}`);
    }
    this.metricsPath = join(this.runDir, METRICS_FILE);
    const latest = this.request.kind === 'resume' ? latestCheckpoint(this.runDir) : undefined;
    let initial: Float32Array;
    if (latest !== undefined) {
      const ck = readCheckpoint(this.runDir, latest);
      const path = join(this.runDir, 'checkpoints', `step-${latest}`, 'model.safetensors');
      const loaded = deserializeModel(this.layout, ck.model, path, initParams(this.layout, o.seed));
      const said = describeLoad(loaded, path);
      if (said) this.emit({ type: 'run.prepare', runId: this.runId, phase: 'checkpoint', message: said });
      initial = loaded.params;
      step.setParams(initial);
      if (!ck.optimizer) throw new Error(`${this.runDir}: checkpoint step-${latest} has no optimizer.safetensors; cannot resume training from it`);
      const opt = deserializeOptimizer(this.layout, ck.optimizer, 'optimizer.safetensors', loaded.initialised);
      step.setOptimizerState(opt.m, opt.v, opt.step);
      this.startStep = latest;
      this.elapsedBefore = Number(ck.state.data.elapsedMs ?? 0);
      this.bestValLoss = ck.state.bestValLoss;
      truncateMetrics(this.metricsPath, latest);
    } else {
      initial = initParams(this.layout, o.seed);
      step.setParams(initial);
      this.startStep = 0;
      truncateMetrics(this.metricsPath, -1);
    }
    this.step = this.startStep;
    const targetTokenizer = this.data.targetTokenizer;
    this.collator = this.objective.collator(tok, o, targetTokenizer);
    const samplerArgs = { ctx: this.ctx, layout: this.layout, params: step.params, tokenizer: tok, ...(targetTokenizer ? { targetTokenizer } : {}), options: o, runDir: this.runDir };
    this.samples = this.objective.sampler(samplerArgs);
    this.scorer = this.objective.scorer?.({ ...samplerArgs, data: this.data }) ?? null;
    this.emit({
      type: 'run.started',
      runId: this.runId,
      runDir: this.runDir,
      resumed: latest !== undefined,
      startStep: this.startStep,
      totalSteps: o.steps,
      parameters: this.layout.count,
      tokensPerStep: o.batchSize * o.blockSize * o.gradAccum,
      model: this.layout.config,
      memoryBytes: step.estimate.totalBytes,
      params: initial,
    });
    if (o.attentionSnapshots) {
      // A sentence without " => " is its own target, which a target tokenizer of another language
      // cannot read: a run with one per side probes its first held-out pairs instead.
      const defaults = targetTokenizer ? probePairs(this.data, { source: tok, target: targetTokenizer }) : undefined;
      this.probes = new AttentionProbes(this.ctx, this.layout.config, { source: tok, target: targetTokenizer ?? tok }, this.runDir, {
        sentences: o.attentionSentences, every: o.checkpointEvery, scripts: this.data.scripts, objective: o.objective, ...(defaults ? { defaults } : {}),
      });
      // The starting weights too (a resumed run has them from its last session).
      if (!this.probes.saved().includes(this.startStep)) await this.snapshotAttention(this.startStep, initial);
    }
  }

  /** The probes' attention under `params`, saved as step `step`'s snapshot. A failure is reported, and training goes on. */
  private async snapshotAttention(step: number, params: Float32Array): Promise<void> {
    if (!this.probes) return;
    try {
      const result = await this.probes.snapshot(step, params);
      if ('path' in result) this.emit({ type: 'run.attention', runId: this.runId, step, path: result.path });
      else if (result.first) this.emit({ type: 'run.warning', runId: this.runId, message: result.skipped });
    } catch (error) {
      this.emit({ type: 'run.warning', runId: this.runId, message: `attention snapshot at step ${step} failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  /** The draw-th batch of a split: a pure function of (seed, split, draw). */
  private batch(split: 'train' | 'val', draw: number): MicroBatch {
    const o = this.options;
    const rng = batchRng(o.seed, draw, split);
    const data = split === 'train' ? this.data.train : this.data.val;
    return this.collator.batch(this.data.dataset, data, o.batchSize, o.blockSize, rng);
  }

  private schedule(): LrSchedule {
    const o = this.options;
    if (o.schedule === 'constant') return { kind: 'constant', lr: o.lr, warmupIters: o.warmupSteps };
    return { kind: o.schedule, lr: o.lr, minLr: o.minLr, warmupIters: o.warmupSteps, decayIters: o.steps };
  }

  private async loop(): Promise<void> {
    const o = this.options;
    const step = this.trainStep!;
    const schedule = this.schedule();
    const K = o.gradAccum;
    this.setState('running');
    if (this.step === 0) await this.evaluate();
    let lastCheckpoint = this.startStep;
    while (this.step < o.steps && !this.stopRequested) {
      // Let the host's messages (pause, stop, other commands) in between steps, even when the
      // GPU keeps up and no await below has to wait for it.
      await new Promise<void>((r) => setImmediate(r));
      if (this.pauseRequested) {
        await this.drain();
        this.setState('paused');
        await new Promise<void>((r) => { this.wake = r; if (!this.pauseRequested || this.stopRequested) r(); });
        this.wake = null;
        if (this.stopRequested) break;
        this.setState('running');
        this.lastLogged = null; // the pause is not training time
      }
      const s = this.step; // 0-based iteration of the step about to run
      const batches: MicroBatch[] = [];
      for (let k = 0; k < K; k++) batches.push(this.batch('train', s * K + k));
      this.clock.start();
      await step.run(batches, learningRate(schedule, s), mixSeed(o.seed, s));
      this.step = s + 1;
      this.submitClock.set(this.step, this.clock.ms);
      this.collect();
      const atEnd = this.step === o.steps;
      if (this.step % o.evalEvery === 0 || atEnd) await this.evaluate();
      if (this.step % o.checkpointEvery === 0 || atEnd) {
        await this.checkpoint();
        lastCheckpoint = this.step;
      }
      this.flushEvents(false);
    }
    await this.drain();
    if (this.step > lastCheckpoint) await this.checkpoint();
    this.flushEvents(true);
    this.setState(this.step >= o.steps ? 'finished' : 'stopped');
  }

  /** Waits for every submitted step's metrics (the GPU has caught up). */
  private async drain(): Promise<void> {
    await this.trainStep!.flush();
    this.clock.stop();
    this.collect();
    this.flushEvents(true);
  }

  /** Turns newly read-back step metrics into train records (every logEvery steps). */
  private collect(): void {
    const o = this.options;
    const all = this.trainStep!.metrics;
    for (; this.seenMetrics < all.length; this.seenMetrics++) {
      const m = all[this.seenMetrics];
      this.latestLoss = m.loss;
      this.losses.push({ step: m.step, loss: m.loss });
      const clock = this.submitClock.get(m.step) ?? this.clock.ms;
      this.submitClock.delete(m.step);
      if (m.step % o.logEvery !== 0 && m.step !== o.steps) continue;
      const prev = this.lastLogged;
      let tokensPerSecond = NaN;
      if (prev && clock > prev.clock && m.step > prev.step) {
        this.msPerStep = (clock - prev.clock) / (m.step - prev.step);
        tokensPerSecond = (o.batchSize * o.blockSize * o.gradAccum) / (this.msPerStep / 1000);
      }
      this.lastLogged = { step: m.step, clock };
      const record: MetricRecord = {
        step: m.step, time: Date.now(), split: 'train', ...termMetrics(this.objective, m.terms, m.accuracy), lr: m.lr, gradNorm: m.gradNorm,
        elapsedMs: Math.round(this.elapsed()),
      };
      if (Number.isFinite(tokensPerSecond)) record.tokensPerSecond = tokensPerSecond;
      this.pending.push(record);
    }
  }

  private elapsed(): number {
    return this.elapsedBefore + (performance.now() - this.startedAt);
  }

  private progress(): RunProgress {
    const o = this.options;
    const ms = Number.isFinite(this.msPerStep) ? this.msPerStep : 0;
    return {
      step: this.step,
      totalSteps: o.steps,
      elapsedMs: Math.round(this.elapsed()),
      etaMs: Math.round(ms * (o.steps - this.step)),
      tokensPerSecond: ms > 0 ? (o.batchSize * o.blockSize * o.gradAccum) / (ms / 1000) : 0,
      loss: this.latestLoss,
    };
  }

  /** Appends pending records to metrics.jsonl and sends them, at most every eventIntervalMs. */
  private flushEvents(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastEmit < this.eventIntervalMs) return;
    this.lastEmit = now;
    const records = this.pending;
    if (records.length === 0) return;
    this.pending = [];
    appendMetrics(this.metricsPath, records);
    this.emit({ type: 'run.metrics', runId: this.runId, records, progress: this.progress() });
  }

  /** Validation loss over evalIters fixed batches (the same at every evaluation), then a sample. */
  private async evaluate(): Promise<void> {
    const o = this.options;
    await this.drain();
    const started = performance.now();
    let sum = 0;
    for (let i = 0; i < o.evalIters; i++) {
      sum += await this.trainStep!.evaluate(this.batch('val', i));
    }
    const valLoss = sum / o.evalIters;
    this.bestValLoss = Math.min(this.bestValLoss ?? Infinity, valLoss);
    this.evals.push({ step: this.step, valLoss });
    const record: MetricRecord = { step: this.step, time: Date.now(), split: 'val', valLoss, valPerplexity: Math.exp(valLoss), evalMs: Math.round(performance.now() - started), elapsedMs: Math.round(this.elapsed()) };
    if (this.scorer) {
      const scoring = performance.now();
      Object.assign(record, await this.scorer.score(this.step), { scoreMs: Math.round(performance.now() - scoring) });
    }
    appendMetrics(this.metricsPath, [record]);
    this.emit({ type: 'run.eval', runId: this.runId, record });
    if (this.samples) {
      const { prompt, text } = await this.samples.sample(this.step);
      this.emit({ type: 'run.sample', runId: this.runId, step: this.step, prompt, text });
    }
  }

  private async checkpoint(): Promise<void> {
    await this.drain();
    const step = this.trainStep!;
    const [params, m, v] = await Promise.all([step.params.read(), step.m.read(), step.v.read()]);
    const o = this.options;
    const path = writeCheckpoint(
      this.runDir,
      {
        model: serializeModel(this.layout, params),
        optimizer: serializeOptimizer(this.layout, m, v, step.step),
        state: {
          step: this.step,
          optimizerStep: step.step,
          // Batches are a pure function of (seed, draw index); the draw index of the next step is step * gradAccum.
          data: { sampler: 'batchRng(seed, step * gradAccum + k)', seed: o.seed, nextDraw: this.step * o.gradAccum, elapsedMs: Math.round(this.elapsed()) },
          ...(this.bestValLoss !== undefined ? { bestValLoss: this.bestValLoss } : {}),
          savedAt: new Date().toISOString(),
        },
      },
      o.keepCheckpoints,
    );
    this.emit({ type: 'run.checkpoint', runId: this.runId, step: this.step, path, params });
    await this.snapshotAttention(this.step, params);
  }
}

/** The first two held-out pairs as attention probes "source => target" (inspect/sentences.ts splitPair). */
function probePairs(data: RunData, tokenizers: Seq2SeqTokenizers): string[] {
  const { sources, references } = heldOutPairs(data.dataset, data.val, tokenizers, 2);
  return sources.map((s, i) => `${s}${PAIR_SEPARATOR}${references[i]}`).filter((t) => t.length <= 200);
}
