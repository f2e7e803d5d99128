// Fine-tuning a classifier on a pretrained run (BERT: pooled [CLS]; GPT: last real token; BART: the
// first decoder position, BartForSequenceClassification's head), or the
// same architecture from random initialisation ("what pretraining buys"):
//   labeled rows → stratified seeded split (or separate files) → tokens with the run's tokenizer →
//   the run's body + a classification head (loaded from its checkpoint; the head, and a pooler a
//   masked-LM-only run lacks, initialised and named) → frozen scope → the same recorded TrainStep
//   as pretraining → every evalEvery steps the validation scores (the best kept, early stopping
//   after `patience` evaluations without a better macro-F1) → the test split scored with the best
//   weights.
// The run is a folder like any other: config.json (the base run's Hugging Face keys with
// Bert/GPT2/BartForSequenceClassification and id2label/label2id, and the
// request that resumes it), tokenizer.json (with a per-side seq2seq base's target_tokenizer.json), metrics.jsonl, checkpoints/step-<best> (the kept
// weights), checkpoints/resume (the state a stopped run continues from: resume.ts), and eval.json
// (the scores).
import { existsSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { mixSeed, mulberry32 } from '../data/rng';
import { classCounts, labelMap, readLabeledFile, stratifiedSplit, type BadRow, type LabeledColumns, type LabeledFile, type LabeledRow, type LabelMap } from '../data/labeled';
import type { GpuContext } from '../gpu/device';
import type { Tensor } from '../gpu/tensor';
import type { ModelConfig } from '../model/config';
import { classifierPool, poolingOf, type ClassifierPooling } from '../model/heads/classify';
import type { ClassifyPool } from '../model/heads/spec';
import type { ModelGraph } from '../model/body';
import { allParts, buildParamLayout, loadParams, type ParamLayout } from '../model/params';
import { readSafetensors } from '../io/safetensors';
import { learningRate } from '../optim/schedule';
import { writeJsonAtomic } from '../runstore/atomic';
import { latestCheckpoint, listCheckpoints, writeCheckpoint, type EarlyStoppingState } from '../runstore/checkpoints';
import { appendMetrics, truncateMetrics, type MetricRecord } from '../runstore/metrics-log';
import { loadTokenizer, type Tokenizer } from '../tokenizers/index';
import { initParams } from '../train/init';
import { CONFIG_FILE, METRICS_FILE, readRunConfig, TOKENIZER_FILE } from '../train/run-folder';
import { copyRunTokenizers } from '../train/run-tokenizers';
import type { RunConfigJson } from '../train/hf-config';
import { TrainStep } from '../train/step';
import { serializeModel, serializeOptimizer } from '../train/weights-io';
import { classifierTargetLen, classifyBatch, encodeRows, type EncodedRows } from './encode';
import { argmaxRows, classificationMetrics, softmaxRows, type ClassificationMetrics } from './metrics';
import { savedClassifierLayout } from './merge';
import { writePeftAdapter } from './peft';
import { labeledDataHash, readResumePoint, writeResumePoint, type ResumePoint, type SavedRequest } from './resume';
import { frozenPrefixes, scopeName, type Scope } from './scope';
import { checkLayerDecay, layerDecayOf } from './layer-decay';

export interface FineTuneOptions {
  /** The pretrained run folder (its tokenizer and architecture are used either way). */
  from: string;
  /** 'pretrained': start from its checkpoint; 'scratch': the same architecture, random weights. */
  init: 'pretrained' | 'scratch';
  /** checkpoints/step-N of `from`; 0 = the latest. */
  checkpoint: number;
  /** Labeled training rows; validation and test are split off it unless given. */
  data: string;
  valData: string;
  testData: string;
  textField?: string;
  pairField?: string;
  labelField?: string;
  badRows: 'skip' | 'refuse';
  valFraction: number;
  testFraction: number;
  scope: Scope;
  /** An encoder's features: its [CLS] ('cls', BertForSequenceClassification) or the mean of its real tokens ('mean'). */
  pooling: ClassifierPooling;
  steps: number;
  batchSize: number;
  /** Tokens per row (at most the model's blockSize). */
  maxLength: number;
  lr: number;
  /**
   * Layer-wise lr decay (layer-decay.ts): the head at lr, each layer below at this factor of the
   * one above, the embeddings one more; 1: every weight at lr.
   */
  layerDecay: number;
  warmupSteps: number;
  weightDecay: number;
  gradClip: number;
  seed: number;
  evalEvery: number;
  /**
   * Also save the resume state (checkpoints/resume/) every this many steps between evaluations
   * (0: only at evaluations and stops), and at the first step after `checkpointMinutes` without
   * one (0: no time rule): what a crash or a lost device can cost.
   */
  checkpointEvery: number;
  checkpointMinutes: number;
  /** Stop after this many evaluations without a better validation macro-F1 (0: never). */
  patience: number;
  runsDir: string;
  name: string;
  keepCheckpoints: number;
}

export const FINETUNE_DEFAULTS: Omit<FineTuneOptions, 'from' | 'data' | 'scope'> & { scope: Scope } = {
  init: 'pretrained', checkpoint: 0, valData: '', testData: '', badRows: 'skip', valFraction: 0.1, testFraction: 0.1,
  scope: { kind: 'all' }, pooling: 'cls', steps: 200, batchSize: 32, maxLength: 64, lr: 1e-4, layerDecay: 1, warmupSteps: 20, weightDecay: 0.01, gradClip: 1,
  seed: 1337, evalEvery: 50, checkpointEvery: 0, checkpointMinutes: 10, patience: 0, runsDir: 'runs', name: '', keepCheckpoints: 2,
};

/** The labeled data of a fine-tune: its splits, label ids and what was skipped. */
export interface LabeledData {
  files: LabeledFile[];
  columns: LabeledColumns;
  guessed: (keyof LabeledColumns)[];
  labels: LabelMap;
  splits: { train: LabeledRow[]; val: LabeledRow[]; test: LabeledRow[] };
  /** Rows per label id, per split. */
  balance: { train: number[]; val: number[]; test: number[] };
  bad: BadRow[];
}

/** Reads and splits the labeled files of `o` (no GPU): what the CLI prints before training. */
export function loadLabeledData(o: Pick<FineTuneOptions, 'data' | 'valData' | 'testData' | 'textField' | 'pairField' | 'labelField' | 'badRows' | 'valFraction' | 'testFraction' | 'seed'>): LabeledData {
  const read = (f: string, cols?: LabeledColumns) =>
    readLabeledFile(f, { textField: cols?.text ?? o.textField, pairField: cols?.pair ?? o.pairField, labelField: cols?.label ?? o.labelField, badRows: o.badRows });
  const main = read(o.data);
  const val = o.valData ? read(o.valData, main.columns) : undefined;
  const test = o.testData ? read(o.testData, main.columns) : undefined;
  const split = stratifiedSplit(main.rows, { valFraction: val ? 0 : o.valFraction, testFraction: test ? 0 : o.testFraction, seed: o.seed });
  const splits = { train: split.train, val: val?.rows ?? split.val, test: test?.rows ?? split.test };
  // Labels come from the training rows; one in validation or test that training never shows is refused by name.
  const labels = labelMap(splits.train.map((r) => r.label));
  if (labels.id2label.length < 2) throw new Error(`${o.data}: the training rows have ${labels.id2label.length} label (${labels.id2label.join(', ')}); a classifier needs at least 2`);
  if (splits.train.length === 0 || splits.val.length === 0) throw new Error(`${o.data}: ${splits.train.length} training and ${splits.val.length} validation rows; both must be non-empty`);
  const files = [main, ...(val ? [val] : []), ...(test ? [test] : [])];
  return {
    files, columns: main.columns, guessed: main.guessed, labels, splits,
    balance: { train: classCounts(splits.train, labels), val: classCounts(splits.val, labels), test: classCounts(splits.test, labels) },
    bad: files.flatMap((f) => f.bad),
  };
}

export interface SplitScores extends ClassificationMetrics {
  loss: number;
}

export interface FineTuneResult {
  runDir: string;
  init: FineTuneOptions['init'];
  scope: string;
  steps: number;
  bestStep: number;
  val: SplitScores;
  test: SplitScores | null;
  /** The score of always answering the training split's most frequent label, on test (else val). */
  majority: { label: string; accuracy: number; macroF1: number };
  trainableParameters: number;
  parameters: number;
  elapsedMs: number;
  /** What loading the checkpoint initialised (a new head, a pooler). */
  initialised: string[];
  /** Whether patience ran out before `steps` (a finished run, not a stopped one). */
  earlyStopped: boolean;
  /** The step this session resumed at (null: it started the run). */
  resumedAt: number | null;
}

export interface FineTuneEvent {
  kind: 'log' | 'train' | 'val';
  message?: string;
  record?: MetricRecord;
}

/**
 * How a host drives a fine-tune between steps (the CLI passes none): `between` is awaited after
 * each step (a pause waits there) and answers true to stop; the stopped run is scored and saved as
 * a finished one would be, at the step it reached.
 */
export interface FineTuneControl {
  between(step: number): Promise<boolean>;
}

/** Parameters that train in a layout (all slabs not frozen). */
function trainableCount(layout: ParamLayout): number {
  return layout.slabs.filter((s) => !layout.frozen.has(s.key)).reduce((n, s) => n + s.numel, 0);
}

/**
 * The model for a classifier on this run's body: its config (BERT gets a pooler if it lacks one),
 * the classification head, the frozen prefixes of the scope.
 */
export function classifierLayout(base: ModelConfig, numLabels: number, scope: Scope, pooling: ClassifierPooling = 'cls'): ParamLayout {
  const cfg: ModelConfig = base.kind === 'encoder' ? { ...base, pooler: true } : base;
  const lora = scope.kind === 'lora' ? scope.lora : undefined;
  return buildParamLayout(cfg, { heads: [{ kind: 'classify', numLabels, pool: classifierPool(base.kind, pooling) }], frozen: frozenPrefixes(cfg, scope), lora });
}

/** Weights for the classifier: the checkpoint's body, and `init`'s values for what it lacks (the head; a pooler after MLM alone). */
export function pretrainedParams(layout: ParamLayout, modelPath: string, init: Float32Array): { params: Float32Array; initialised: string[]; unexpected: string[] } {
  const file = readSafetensors(modelPath);
  const tensors = new Map<string, { shape: readonly number[]; data: ArrayLike<number> }>(file.tensors);
  const initialisedPooler: string[] = [];
  for (const p of allParts(layout)) {
    if (p.name.startsWith('bert.pooler.') && !tensors.has(p.name)) {
      tensors.set(p.name, { shape: p.shape, data: init.subarray(p.offset, p.offset + p.numel) });
      initialisedPooler.push(p.name);
    }
  }
  const { flat, initialised, unexpected } = loadParams(layout, tensors, init);
  return { params: flat, initialised: [...initialisedPooler, ...initialised], unexpected };
}

/** config.json of the fine-tuned run: the base run's Hugging Face keys as a ...ForSequenceClassification. */
function classifierConfig(baseConfig: Record<string, unknown>, layout: ParamLayout, labels: LabelMap, finetune: Record<string, unknown>): Record<string, unknown> {
  const kind = layout.config.kind;
  const { pretrain_studio: studio, ...hf } = baseConfig as { pretrain_studio: Record<string, unknown> };
  const head = layout.heads.find((h) => h.kind === 'classify');
  return {
    ...hf,
    // ModernBERT's key for how the classifier pools (Hugging Face's BERT itself always reads [CLS]); savedClassifierLayout reads it back.
    // BART's 'eos' is Hugging Face's own BartForSequenceClassification; 'cls' (the first decoder position) is ours.
    ...(kind !== 'decoder' && head?.kind === 'classify' ? { classifier_pooling: poolingOf(kind, head.pool) } : {}),
    architectures: [kind === 'encoder' ? 'BertForSequenceClassification' : kind === 'decoder' ? 'GPT2ForSequenceClassification' : 'BartForSequenceClassification'],
    id2label: Object.fromEntries(labels.id2label.map((l, i) => [String(i), l])),
    label2id: labels.label2id,
    problem_type: 'single_label_classification',
    pretrain_studio: { ...studio, objective: 'classify', model: layout.config, parameters: layout.count, finetune, createdAt: new Date().toISOString() },
  };
}

/** Where a classifier layout's head reads (classifierPool of its kind and pooling). */
export function classifyPoolOf(layout: ParamLayout): ClassifyPool {
  const head = layout.heads.find((h) => h.kind === 'classify');
  if (head?.kind !== 'classify') throw new Error('not a classifier: the layout has no classify head');
  return head.pool;
}

/** Scores of a model on labeled rows: forward passes in batches, logits read back. */
export class ClassifierEval {
  private readonly kind: ModelConfig['kind'];
  private readonly pool: ClassifyPool;
  constructor(
    private readonly step: TrainStep,
    private readonly logits: Tensor,
    layout: ParamLayout,
    private readonly B: number,
    private readonly K: number,
  ) {
    this.kind = layout.config.kind;
    this.pool = classifyPoolOf(layout);
  }

  /** Logits [count, K] of every encoded row. */
  async logitsOf(enc: EncodedRows): Promise<Float32Array> {
    const out = new Float32Array(enc.count * this.K);
    for (let start = 0; start < enc.count; start += this.B) {
      const rows = Array.from({ length: Math.min(this.B, enc.count - start) }, (_, i) => start + i);
      await this.step.evaluate(classifyBatch(enc, this.kind, this.pool, rows, this.B));
      const l = await this.logits.read();
      out.set(l.subarray(0, rows.length * this.K), start * this.K);
    }
    return out;
  }

  async score(enc: EncodedRows, labels: readonly string[]): Promise<SplitScores & { probabilities: Float32Array; predictions: Uint32Array }> {
    const logits = await this.logitsOf(enc);
    const probabilities = softmaxRows(logits, this.K);
    const predictions = argmaxRows(logits, this.K);
    let loss = 0;
    for (let i = 0; i < enc.count; i++) loss -= Math.log(Math.max(probabilities[i * this.K + enc.labels[i]], 1e-30));
    return { ...classificationMetrics(enc.labels, predictions, labels), loss: enc.count ? loss / enc.count : 0, probabilities, predictions };
  }
}

/** Picks and creates the run folder (refusing one that holds a run). */
function createFineTuneDir(o: FineTuneOptions, baseName: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const base = resolve(o.runsDir, o.name || `classify-${baseName}-${o.init}-${stamp}`);
  let dir = base;
  if (!o.name) for (let i = 2; existsSync(dir); i++) dir = `${base}-${i}`;
  if (existsSync(join(dir, CONFIG_FILE)) || listCheckpoints(dir).length > 0) throw new Error(`${dir} already holds a run: pick another --name`);
  mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  return dir;
}

/** What a fine-tune starts from: its folder, model, tokenizer and weights, and where a resumed one stopped. */
interface FineTuneStart {
  runDir: string;
  layout: ParamLayout;
  tokenizer: Tokenizer;
  params: Float32Array;
  initialised: string[];
  resumed: ResumePoint | null;
}

/** A new run: the base run's checkpoint (or random weights) under a classifier, in a new folder with its config.json. */
async function freshStart(o: FineTuneOptions, data: LabeledData, baseDir: string, onEvent: (e: FineTuneEvent) => void): Promise<FineTuneStart> {
  const baseConfig = readRunConfig(baseDir);
  const layout = classifierLayout(baseConfig.pretrain_studio.model, data.labels.id2label.length, o.scope, o.pooling);
  const tokenizer = await loadTokenizer(join(baseDir, TOKENIZER_FILE));
  const init = initParams(layout, o.seed);
  let params = init;
  let initialised: string[] = [];
  let from = '';
  if (o.init === 'pretrained') {
    const step = o.checkpoint > 0 ? o.checkpoint : latestCheckpoint(baseDir);
    if (step === undefined) throw new Error(`${baseDir} has no checkpoint to fine-tune from`);
    if (!listCheckpoints(baseDir).includes(step)) throw new Error(`${baseDir} has no checkpoint step-${step} (it has: ${listCheckpoints(baseDir).join(', ') || 'none'})`);
    const path = join(baseDir, 'checkpoints', `step-${step}`, 'model.safetensors');
    const loaded = pretrainedParams(layout, path, init);
    params = loaded.params;
    initialised = loaded.initialised;
    from = `${baseDir} step-${step}`;
    const adapters = initialised.filter((n) => /\.lora_[AB]\.weight$/.test(n)).length;
    const named = initialised.filter((n) => !/\.lora_[AB]\.weight$/.test(n));
    const fresh = [...named, ...(adapters ? [`${adapters / 2} LoRA adapters (A Kaiming-uniform, B zero)`] : [])];
    onEvent({ kind: 'log', message: `loaded ${path}; initialised ${fresh.join(', ')}${loaded.unexpected.length ? `; not used: ${loaded.unexpected.join(', ')}` : ''}` });
  }
  const runDir = createFineTuneDir(o, baseDir.split(/[\\/]/).pop() ?? 'run');
  copyRunTokenizers(baseDir, runDir); // a seq2seq base with a tokenizer per side: its target tokenizer too
  const cfg = layout.config;
  const T = Math.min(o.maxLength, cfg.blockSize);
  // Everything a resume needs to rebuild this request, with absolute paths (resume.ts).
  const given = o as unknown as Record<string, unknown>;
  const known = [...Object.keys(FINETUNE_DEFAULTS), 'textField', 'pairField', 'labelField'].filter((k) => given[k] !== undefined);
  const request: SavedRequest = {
    options: { ...(Object.fromEntries(known.map((k) => [k, given[k]])) as unknown as FineTuneOptions), from: baseDir, data: resolve(o.data), valData: o.valData && resolve(o.valData), testData: o.testData && resolve(o.testData), runsDir: resolve(o.runsDir), name: basename(runDir) },
    dataHash: labeledDataHash(data),
  };
  const finetune = {
    from: o.from ? baseDir : '', init: o.init, checkpoint: from, scope: scopeName(o.scope), pooling: o.pooling, frozen: [...frozenPrefixes(cfg, o.scope)],
    ...(o.scope.kind === 'lora' ? { lora: o.scope.lora } : {}),
    data: data.files.map((f) => f.file), columns: data.columns, labels: data.labels.id2label,
    split: { train: data.splits.train.length, val: data.splits.val.length, test: data.splits.test.length, valFraction: o.valFraction, testFraction: o.testFraction, seed: o.seed, stratified: true },
    balance: data.balance, skippedRows: data.bad.length,
    options: { steps: o.steps, batchSize: o.batchSize, maxLength: T, lr: o.lr, layerDecay: o.layerDecay, warmupSteps: o.warmupSteps, weightDecay: o.weightDecay, gradClip: o.gradClip, seed: o.seed, evalEvery: o.evalEvery, patience: o.patience },
    request,
  };
  writeJsonAtomic(join(runDir, CONFIG_FILE), classifierConfig(baseConfig, layout, data.labels, finetune));
  truncateMetrics(join(runDir, METRICS_FILE), -1);
  return { runDir, layout, tokenizer, params, initialised, resumed: null };
}

/** A stopped run: its own folder's model, tokenizer and resume state; config.json gets the (new) step total. */
async function resumedStart(o: FineTuneOptions, data: LabeledData, onEvent: (e: FineTuneEvent) => void): Promise<FineTuneStart> {
  const runDir = resolve(o.runsDir, o.name);
  const config = readRunConfig(runDir) as RunConfigJson & { pretrain_studio: { finetune: { options: { steps: number }; request: SavedRequest } } };
  const ft = config.pretrain_studio.finetune;
  if (ft.request.dataHash !== labeledDataHash(data)) throw new Error(`${runDir}: the labeled rows changed since this run started (${data.files.map((f) => f.file).join(', ')}); resuming would not continue the same data`);
  const layout = classifierLayout(config.pretrain_studio.model, data.labels.id2label.length, o.scope, o.pooling);
  const point = readResumePoint(runDir, layout);
  if (point.early?.stopped) throw new Error(`${runDir} stopped early at step ${point.step} (no better validation macro-F1 in ${o.patience} evaluations): it is finished`);
  if (point.step >= o.steps) throw new Error(`${runDir} is at step ${point.step} of ${o.steps}: give more steps (--steps) to continue it`);
  ft.options.steps = o.steps;
  ft.request.options.steps = o.steps;
  writeJsonAtomic(join(runDir, CONFIG_FILE), config);
  // What was logged after the resume point (a crash between evaluations) is done again.
  truncateMetrics(join(runDir, METRICS_FILE), point.step);
  onEvent({ kind: 'log', message: `resuming ${runDir} at step ${point.step} of ${o.steps}${point.early ? ` (best validation macro-F1 ${point.early.bestScore.toFixed(4)} at step ${point.early.bestStep})` : ''}` });
  return { runDir, layout, tokenizer: await loadTokenizer(join(runDir, TOKENIZER_FILE)), params: point.params, initialised: [], resumed: point };
}

/**
 * Trains and scores a classifier (module comment). `resume`: continue the stopped run folder
 * runsDir/name from its checkpoints/resume/ state (o from resumeRequest), exactly as if it had not stopped.
 */
export async function fineTune(ctx: GpuContext, o: FineTuneOptions, data: LabeledData, onEvent: (e: FineTuneEvent) => void = () => {}, control?: FineTuneControl, resume = false): Promise<FineTuneResult> {
  const started = performance.now();
  checkLayerDecay(o.layerDecay); // before freshStart writes a run folder
  const baseDir = resolve(o.from);
  const K = data.labels.id2label.length;
  const { runDir, layout, tokenizer, params, initialised, resumed } = resume ? await resumedStart(o, data, onEvent) : await freshStart(o, data, baseDir, onEvent);
  const cfg = layout.config;
  const T = Math.min(o.maxLength, cfg.blockSize);
  const enc = {
    train: encodeRows(tokenizer, cfg.kind, data.splits.train, data.labels, T),
    val: encodeRows(tokenizer, cfg.kind, data.splits.val, data.labels, T),
    test: encodeRows(tokenizer, cfg.kind, data.splits.test, data.labels, T),
  };
  const truncated = enc.train.truncated + enc.val.truncated + enc.test.truncated;
  if (truncated) onEvent({ kind: 'log', message: `${truncated} rows longer than ${T} tokens were truncated (--maxLength)` });
  const metricsPath = join(runDir, METRICS_FILE);

  const train = new TrainStep(ctx, layout, {
    batch: { batchSize: o.batchSize, seqLen: T, targetLen: classifierTargetLen(cfg.kind, classifyPoolOf(layout)) },
    adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: o.weightDecay },
    gradClip: o.gradClip,
    readouts: (g) => [(g as ModelGraph).logits],
    ...(o.layerDecay !== 1 ? { lrScale: layerDecayOf(cfg, o.layerDecay) } : {}),
  });
  try {
    train.setParams(params);
    if (resumed) train.setOptimizerState(resumed.m, resumed.v, resumed.optimizerStep);
    const evaluator = new ClassifierEval(train, (train.graph as ModelGraph).logits, layout, o.batchSize, K);
    const schedule = { kind: 'linear' as const, lr: o.lr, minLr: 0, warmupIters: o.warmupSteps, decayIters: o.steps };
    const rowsOf = trainingOrder(enc.train.count, o.batchSize, o.seed);
    const elapsed = () => (resumed?.elapsedMs ?? 0) + performance.now() - started;
    // Early stopping: the best scheduled evaluation so far (its weights in checkpoints/step-<best>).
    let early: EarlyStoppingState | null = resumed?.early ?? null;
    let bestParams = resumed?.bestParams ?? null;
    let seen = 0;
    const collect = () => {
      const records: MetricRecord[] = [];
      for (; seen < train.metrics.length; seen++) {
        const m = train.metrics[seen];
        records.push({ step: m.step, time: Date.now(), split: 'train', loss: m.loss, accuracy: m.accuracy[0], lr: m.lr, gradNorm: m.gradNorm });
      }
      appendMetrics(metricsPath, records);
      for (const record of records) onEvent({ kind: 'train', record });
    };
    const validate = async (s: number): Promise<SplitScores> => {
      await train.flush();
      collect();
      const { probabilities: _p, predictions: _q, ...scores } = await evaluator.score(enc.val, data.labels.id2label);
      const record: MetricRecord = { step: s, time: Date.now(), split: 'val', valLoss: scores.loss, valAccuracy: scores.accuracy, valMacroF1: scores.macroF1 };
      appendMetrics(metricsPath, [record]);
      onEvent({ kind: 'val', record });
      return scores;
    };
    // A kept checkpoint: the weights loaders take (the latest step-N), with AdamW's state of that step.
    const keep = (s: number, st: { params: Float32Array; m: Float32Array; v: Float32Array; step: number }) => {
      const dir = writeCheckpoint(runDir, {
        model: serializeModel(layout, st.params),
        optimizer: serializeOptimizer(layout, st.m, st.v, st.step),
        state: { step: s, optimizerStep: st.step, data: { sampler: 'seeded permutation per epoch', seed: o.seed, kept: 'best validation macro-F1' }, ...(early ? { earlyStopping: early } : {}), savedAt: new Date().toISOString() },
      }, o.keepCheckpoints);
      // A LoRA run also saves what PEFT would: the adapters and the head, with their config.
      if (layout.lora) writePeftAdapter(dir, layout, st.params, baseDir);
    };
    let s = resumed?.step ?? 0;
    let halted = false;
    /** Weights kept by a stop before the first scheduled evaluation (no best yet). */
    let stopKept: { step: number; params: Float32Array; scores: SplitScores } | null = null;
    let savedAt = performance.now();
    const resumePoint = (st: { params: Float32Array; m: Float32Array; v: Float32Array; step: number }) => {
      writeResumePoint(runDir, layout, { step: s, params: st.params, m: st.m, v: st.v, optimizerStep: st.step, early, seed: o.seed, elapsedMs: elapsed() });
      savedAt = performance.now();
    };
    while (s < o.steps && !halted && !early?.stopped) {
      await train.run([classifyBatch(enc.train, cfg.kind, classifyPoolOf(layout), rowsOf(s), o.batchSize)], learningRate(schedule, s), mixSeed(o.seed, s));
      s++;
      collect(); // the losses read back so far, for a live chart
      halted = control ? await control.between(s) : false;
      const scheduled = s % o.evalEvery === 0 || s === o.steps;
      if (!scheduled && !halted) {
        // Between evaluations only the resume state is saved: the kept weights and early stopping
        // change at evaluations alone, so a run resumed from here goes on exactly as this one.
        const due = (o.checkpointEvery > 0 && s % o.checkpointEvery === 0) || (o.checkpointMinutes > 0 && performance.now() - savedAt >= o.checkpointMinutes * 60_000);
        if (due) resumePoint(await train.readState());
        continue;
      }
      // A stop between scheduled evaluations is scored for the record, but changes nothing early
      // stopping decides: a resumed run goes on as the uninterrupted one would have.
      const scores = await validate(s);
      const st = await train.readState();
      if (scheduled && (!early || scores.macroF1 > early.bestScore)) {
        early = { bestStep: s, bestScore: scores.macroF1, bestScores: { ...scores }, sinceBest: 0, stopped: false };
        bestParams = st.params;
        keep(s, st);
      } else if (scheduled && early) {
        const sinceBest = early.sinceBest + 1;
        early = { ...early, sinceBest, stopped: o.patience > 0 && sinceBest >= o.patience };
        if (early.stopped) onEvent({ kind: 'log', message: `early stop at step ${s}: no better validation macro-F1 in ${o.patience} evaluations` });
      } else if (!early) {
        stopKept = { step: s, params: st.params, scores };
        keep(s, st);
      }
      resumePoint(st);
    }
    await train.flush();
    collect();
    const kept = early && bestParams ? { step: early.bestStep, params: bestParams, scores: early.bestScores as unknown as SplitScores } : stopKept!;
    train.setParams(kept.params);
    let test: SplitScores | null = null;
    if (enc.test.count > 0) {
      const { probabilities: _p, predictions: _q, ...scores } = await evaluator.score(enc.test, data.labels.id2label);
      test = scores;
    }
    const counts = data.balance.train;
    const major = counts.indexOf(Math.max(...counts));
    const judged = enc.test.count > 0 ? enc.test : enc.val;
    const majorityScores = classificationMetrics(judged.labels, new Uint32Array(judged.count).fill(major), data.labels.id2label);
    const result: FineTuneResult = {
      runDir, init: o.init, scope: scopeName(o.scope), steps: s, bestStep: kept.step, val: kept.scores, test,
      majority: { label: data.labels.id2label[major], accuracy: majorityScores.accuracy, macroF1: majorityScores.macroF1 },
      trainableParameters: trainableCount(layout), parameters: layout.count, elapsedMs: Math.round(elapsed()), initialised,
      earlyStopped: early?.stopped ?? false, resumedAt: resumed?.step ?? null,
    };
    writeJsonAtomic(join(runDir, 'eval.json'), result);
    return result;
  } finally {
    train.destroy();
  }
}

/** Training order: a seeded permutation per epoch; step s's rows are a pure function of (seed, s). */
function trainingOrder(N: number, batchSize: number, seed: number): (s: number) => number[] {
  const epochOrder = new Map<number, Uint32Array>();
  return (s) => {
    const rows: number[] = [];
    for (let i = s * batchSize; i < (s + 1) * batchSize; i++) {
      const epoch = Math.floor(i / N);
      let perm = epochOrder.get(epoch);
      if (!perm) {
        perm = Uint32Array.from({ length: N }, (_, k) => k);
        const rng = mulberry32(mixSeed(seed, 0x5eed, epoch));
        for (let k = N - 1; k > 0; k--) { const j = rng.int(k + 1); [perm[k], perm[j]] = [perm[j], perm[k]]; }
        epochOrder.clear();
        epochOrder.set(epoch, perm);
      }
      rows.push(perm[i % N]);
    }
    return rows;
  };
}

/** A fine-tuned run on disk: its labels, tokenizer, model and checkpoint weights. */
export interface SavedClassifier {
  labels: LabelMap;
  columns: LabeledColumns;
  maxLength: number;
  tokenizer: Tokenizer;
  layout: ParamLayout;
  params: Float32Array;
  step: number;
}

export async function loadClassifier(runDir: string, checkpoint = 0): Promise<SavedClassifier> {
  const config = readRunConfig(runDir) as unknown as { id2label?: Record<string, string>; pretrain_studio: { model: ModelConfig; finetune?: { columns: LabeledColumns; options: { maxLength: number }; lora?: ParamLayout['lora'] } } };
  const ft = config.pretrain_studio.finetune;
  if (!ft || !config.id2label) throw new Error(`${runDir} is not a fine-tuned classifier (no id2label / finetune block in config.json)`);
  const id2label = Object.keys(config.id2label).sort((a, b) => Number(a) - Number(b)).map((k) => config.id2label![k]);
  // A LoRA run's checkpoint holds its adapters: the layout has them too (a merged run's has none).
  const layout = savedClassifierLayout(config);
  const step = checkpoint || latestCheckpoint(runDir);
  if (step === undefined) throw new Error(`${runDir} has no checkpoint`);
  if (!listCheckpoints(runDir).includes(step)) throw new Error(`${runDir} has no checkpoint step-${step} (it has: ${listCheckpoints(runDir).join(', ')})`);
  const path = join(runDir, 'checkpoints', `step-${step}`, 'model.safetensors');
  let flat: Float32Array;
  try {
    ({ flat } = loadParams(layout, readSafetensors(path).tensors, initParams(layout, 0)));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
  return {
    labels: { id2label, label2id: Object.fromEntries(id2label.map((l, i) => [l, i])) }, columns: ft.columns, maxLength: ft.options.maxLength,
    tokenizer: await loadTokenizer(join(runDir, TOKENIZER_FILE)), layout, params: flat, step,
  };
}

/** Scores `enc` under a saved classifier (a forward-only use of the recorded step). */
export async function scoreWith(ctx: GpuContext, c: SavedClassifier, enc: EncodedRows, B: number) {
  const step = new TrainStep(ctx, c.layout, { batch: { batchSize: B, seqLen: c.maxLength, targetLen: classifierTargetLen(c.layout.config.kind, classifyPoolOf(c.layout)) }, adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }, gradClip: 0, readouts: (g) => [(g as ModelGraph).logits] });
  try {
    step.setParams(c.params);
    return await new ClassifierEval(step, (step.graph as ModelGraph).logits, c.layout, B, c.labels.id2label.length).score(enc, c.labels.id2label);
  } finally {
    step.destroy();
  }
}

/** The labeled rows' scores under a fine-tuned run's latest (or given) checkpoint: `npm run evaluate`. */
export async function evaluateRun(ctx: GpuContext, runDir: string, file: string, o: { batchSize?: number; badRows?: 'skip' | 'refuse'; checkpoint?: number } = {}): Promise<SplitScores & { run: string; step: number; file: string; skipped: number }> {
  const c = await loadClassifier(runDir, o.checkpoint);
  const f = readLabeledFile(file, { textField: c.columns.text, pairField: c.columns.pair, labelField: c.columns.label, badRows: o.badRows ?? 'skip' });
  const enc = encodeRows(c.tokenizer, c.layout.config.kind, f.rows, c.labels, c.maxLength);
  const { probabilities: _p, predictions: _q, ...scores } = await scoreWith(ctx, c, enc, o.batchSize ?? 32);
  return { run: runDir, step: c.step, file, skipped: f.bad.length, ...scores };
}

/** Class probabilities of one text (or pair) under a fine-tuned run: the "try it" box. */
export async function predictText(ctx: GpuContext, runDir: string, text: string, pair?: string, checkpoint = 0): Promise<{ step: number; label: string; probabilities: { label: string; probability: number }[] }> {
  const c = await loadClassifier(runDir, checkpoint);
  if (pair === undefined && c.columns.pair !== undefined) throw new Error(`${runDir} classifies sentence pairs: give the second text too`);
  const row: LabeledRow = { text, label: c.labels.id2label[0], file: '(text)', line: 1, ...(pair !== undefined ? { pair } : {}) };
  const scores = await scoreWith(ctx, c, encodeRows(c.tokenizer, c.layout.config.kind, [row], c.labels, c.maxLength), 1);
  const probabilities = c.labels.id2label.map((label, k) => ({ label, probability: scores.probabilities[k] }));
  return { step: c.step, label: c.labels.id2label[scores.predictions[0]], probabilities };
}
