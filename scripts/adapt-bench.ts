// What pretraining buys (issues #14 and #15): on waimai10k (Chinese) and SST-2 (English), an MLM
// encoder and a GPT pretrained on the unlabeled texts, fine-tuned (head, all, LoRA) against the same
// architecture from scratch and the majority class, and the GPT prompted zero- and few-shot on the
// same held-out rows. It runs the CLIs (npm run train / finetune / evaluate / prompt) one after the
// other under `nice -n 10` and prints markdown tables.
//
//   node --import tsx scripts/adapt-bench.ts [--out DIR] [--datasets DIR] [--only waimai|sst2]
//     [--stage prepare|pretrain|finetune|gpt|prompt|all]   (one part alone, to run parts side by side)
//     [--bert-only | --gpt-only] [--pooling cls|mean] [--mlmSteps N] [--bertCheckpoint N] [--clmSteps N] [--gptCheckpoint N]
//     [--recipes head,all,lora,…] [--seeds 1,2,3] [--trainRows N] [--mlmTokenizer wordpiece:8192]
//   --bert-only / --gpt-only: that model's pretraining and fine-tunes alone (no prompting), its table only;
//   --pooling: the BERT classifier's features ([CLS] or the mean of the real tokens);
//   --mlmSteps: the MLM schedule's length (checkpoints every quarter); --bertCheckpoint: fine-tune
//   from that checkpoint of it instead of the last (a pretraining stopped there counts as done);
//   --clmSteps, --gptCheckpoint: the same for the GPT;
//   --mlmTokenizer KIND:VOCAB: the BERT's tokenizer instead of the dataset's (its run and fine-tunes
//   are named after it, e.g. bert-wp8k, so they never reuse the default tokenizer's results);
//   --trainRows: fine-tune on a stratified N of the training rows (seeded; the same test rows and
//   pretrained models): what pretraining buys when labels are few;
//   --seeds: repeat each fine-tune of the one model (--bert-only or --gpt-only) once per seed (finetune's --seed: the validation
//   split off the training rows, the head's and LoRA's initialisation, the batch order and dropout;
//   --compare gives the pretrained and the scratch twin the same seed), report mean ± std (also of the
//   paired gain on the test rows that occur in no training row) and write the per-seed scores to
//   OUT/<dataset>/seeds/<run>.json. Without it: finetune's default seed.
//
// Everything is written under --out (default $TMPDIR/adapt-bench): the splits, the run folders,
// each step's log and wall time. A step whose result is already there is not run again (its
// recorded time is reused), so an interrupted benchmark continues where it stopped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { readLabeledFile, stratifiedSplit, type LabeledRow } from '../src/engine/data/labeled';
import { mulberry32 } from '../src/engine/data/rng';
import { spread } from '../src/engine/metrics/spread';
import { writeFileAtomic } from '../src/engine/runstore/atomic';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const ROOT = resolve(import.meta.dirname, '..');
const OUT = resolve(flag('out', join(tmpdir(), 'adapt-bench')));
const DATASETS = resolve(flag('datasets', join(ROOT, '..', 'shared', 'datasets')));
const ONLY = flag('only', '');
// prepare | pretrain | finetune (the BERT's) | gpt (its fine-tunes) | prompt | all: one part alone, to run parts side by side.
const STAGE = flag('stage', 'all');
const BERT_ONLY = argv.includes('--bert-only');
const GPT_ONLY = argv.includes('--gpt-only');
if (BERT_ONLY && GPT_ONLY) throw new Error('--bert-only and --gpt-only exclude each other');
/** The one model a --bert-only / --gpt-only run pretrains and fine-tunes; null: both, with prompting. */
const ONE_MODEL: 'bert' | 'gpt' | null = BERT_ONLY ? 'bert' : GPT_ONLY ? 'gpt' : null;
const POOLING = flag('pooling', 'cls');
if (POOLING !== 'cls' && POOLING !== 'mean') throw new Error(`--pooling must be cls or mean, got '${POOLING}'`);
const MLM_STEPS = Number(flag('mlmSteps', '0'));
const BERT_CHECKPOINT = Number(flag('bertCheckpoint', '0'));
const CLM_STEPS = Number(flag('clmSteps', '0'));
const GPT_CHECKPOINT = Number(flag('gptCheckpoint', '0'));
const RECIPES = flag('recipes', '');
const TRAIN_ROWS = Number(flag('trainRows', '0'));
if (!(Number.isInteger(TRAIN_ROWS) && TRAIN_ROWS >= 0)) throw new Error(`--trainRows takes a whole number of rows, got '${flag('trainRows', '')}'`);
/** Run names of a --trainRows benchmark say how many rows trained. */
const rowsSuffix = TRAIN_ROWS > 0 ? `-n${TRAIN_ROWS}` : '';
/** --mlmTokenizer KIND:VOCAB: the MLM's tokenizer options and the name its runs carry; null: the dataset's own. */
const MLM_TOKENIZER = ((spec: string): { args: string[]; name: string } | null => {
  if (spec === '') return null;
  const m = /^(char|bpe|wordpiece):(\d+)$/.exec(spec);
  if (!m) throw new Error(`--mlmTokenizer takes KIND:VOCAB with KIND char, bpe or wordpiece (e.g. wordpiece:8192), got '${spec}'`);
  const vocab = Number(m[2]);
  const short = m[1] === 'wordpiece' ? 'wp' : m[1];
  return { args: ['--tokenizer', m[1], '--vocabSize', m[2]], name: `bert-${short}${vocab % 1024 === 0 ? `${vocab / 1024}k` : vocab}` };
})(flag('mlmTokenizer', ''));
const FT_SEEDS = flag('seeds', '') === '' ? [] : flag('seeds', '').split(',').map((x) => {
  if (!/^\d+$/.test(x.trim())) throw new Error(`--seeds takes non-negative integers separated by commas, got '${x}'`);
  return Number(x);
});
if (FT_SEEDS.length > 0 && !ONE_MODEL) throw new Error('--seeds repeats one model\'s fine-tunes: use it with --bert-only or --gpt-only');
if (new Set(FT_SEEDS).size !== FT_SEEDS.length) throw new Error(`--seeds repeats a seed: ${FT_SEEDS.join(',')}`);

/** One dataset's recipe: where its rows come from and how its models and prompts are set up. */
interface DatasetPlan {
  key: 'waimai' | 'sst2';
  file: string;
  /** Rows drawn (seeded) before the split; 0 = all. */
  subset: number;
  /** Tokenizer options of the pretraining runs. */
  tokenizer: string[];
  template: string;
  labels: string[];
  /** Pretraining steps of the BERT and of the GPT (what the shared machine allowed in the time). */
  steps: { mlm: number; clm: number };
}

const PLANS: DatasetPlan[] = [
  { key: 'waimai', file: 'waimai10k.csv', subset: 0, tokenizer: ['--tokenizer', 'char'], template: '{text}。总体评价：', labels: ['0=差', '1=好'], steps: { mlm: 500, clm: 300 } },
  { key: 'sst2', file: 'sst2-train.tsv', subset: 10_000, tokenizer: ['--tokenizer', 'bpe', '--vocabSize', '2048'], template: "{text} , it 's", labels: ['0= bad', '1= good'], steps: { mlm: 300, clm: 300 } },
];

const SPLIT_SEED = 1;
const TEST_FRACTION = 0.1;
const PROMPT_ROWS = 200;

const clean = (s: string): string => s.replace(/[\t\r\n]+/g, ' ').trim();
const tsv = (rows: readonly LabeledRow[]): string => 'label\ttext\n' + rows.map((r) => `${r.label}\t${clean(r.text)}\n`).join('');

/** A seeded Fisher-Yates shuffle (a copy). */
function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const rng = mulberry32(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

interface Splits { dir: string; train: string; test: string; unseenTest: string; promptTest: string; lm: string; counts: Record<string, number> }

/**
 * The test rows whose text occurs in no training row, not even inside a longer one. SST-2's rows are
 * phrases of parse trees, most of them inside another row: a test phrase inside a labeled training
 * phrase can be scored by memory; these rows cannot.
 */
function unseenRows(test: readonly LabeledRow[], train: readonly LabeledRow[]): LabeledRow[] {
  const haystack = ` \n ${train.map((r) => clean(r.text)).join(' \n ')} \n `;
  return test.filter((r) => !haystack.includes(` ${clean(r.text)} `));
}

/**
 * test: a stratified 10% of the (sub)set; train: the rest (finetune splits its validation off it);
 * promptTest: PROMPT_ROWS test rows drawn at random (seeded; waimai10k's file is sorted by label); lm: the unlabeled texts the models
 * are pretrained on, every row of the file except the test rows (for SST-2 also the rows outside the
 * labeled subset: unlabeled text is cheap).
 */
function prepare(plan: DatasetPlan): Splits {
  const dir = join(OUT, plan.key, 'data');
  mkdirSync(dir, { recursive: true });
  const all = readLabeledFile(join(DATASETS, plan.file)).rows;
  let labeled = all;
  if (plan.subset > 0 && plan.subset < all.length) {
    const chosen = new Set(shuffled(all, SPLIT_SEED).slice(0, plan.subset));
    labeled = all.filter((r) => chosen.has(r));
  }
  const { train: allTrain, test } = stratifiedSplit(labeled, { valFraction: 0, testFraction: TEST_FRACTION, seed: SPLIT_SEED });
  // --trainRows: a stratified subset of the training rows; the test rows and the pretraining text stay.
  const train = TRAIN_ROWS > 0 && TRAIN_ROWS < allTrain.length
    ? stratifiedSplit(allTrain, { valFraction: 0, testFraction: 1 - TRAIN_ROWS / allTrain.length, seed: SPLIT_SEED }).train
    : allTrain;
  const testTexts = new Set(test.map((r) => clean(r.text)));
  const lmRows = all.filter((r) => !testTexts.has(clean(r.text)));
  const unseen = unseenRows(test, train);
  const paths = { train: join(dir, `train${rowsSuffix}.tsv`), test: join(dir, 'test.tsv'), unseenTest: join(dir, `test-unseen${rowsSuffix}.tsv`), promptTest: join(dir, 'test-prompt.tsv'), lm: join(dir, 'lm.tsv') };
  // Atomic: two benchmarks side by side rewrite these (the same bytes) while the other's steps read them.
  writeFileAtomic(paths.train, tsv(train));
  writeFileAtomic(paths.test, tsv(test));
  writeFileAtomic(paths.unseenTest, tsv(unseen));
  writeFileAtomic(paths.promptTest, tsv(shuffled(test, SPLIT_SEED).slice(0, PROMPT_ROWS)));
  writeFileAtomic(paths.lm, tsv(lmRows));
  const counts = { labeled: labeled.length, train: train.length, test: test.length, unseenTest: unseen.length, promptTest: Math.min(PROMPT_ROWS, test.length), lm: lmRows.length };
  console.log(`${plan.key}: ${JSON.stringify(counts)} -> ${dir}`);
  return { dir, ...paths, counts };
}

/** Wall seconds of every step, kept across invocations so a reused step still reports its time. */
const timesFile = (): string => join(OUT, 'times.json');
function loadTimes(): Record<string, number> {
  return existsSync(timesFile()) ? JSON.parse(readFileSync(timesFile(), 'utf8')) as Record<string, number> : {};
}

/** Runs `npm run <script> -- args` under nice unless `done` already holds; logs to OUT/logs/<id>.log. */
function step(id: string, script: string, args: string[], done: () => boolean): number {
  const times = loadTimes();
  if (done()) {
    console.error(`[${id}] reused (${times[id]?.toFixed(0) ?? '?'} s)`);
    return times[id] ?? NaN;
  }
  mkdirSync(join(OUT, 'logs'), { recursive: true });
  const log = join(OUT, 'logs', `${id}.log`);
  console.error(`[${id}] npm run ${script} -- ${args.map((a) => (/[\s'"{}]/.test(a) ? `'${a}'` : a)).join(' ')}`);
  const t0 = performance.now();
  const r = spawnSync('nice', ['-n', '10', 'npm', 'run', '-s', script, '--', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = (performance.now() - t0) / 1000;
  writeFileSync(log, `${r.stdout}\n--- stderr ---\n${r.stderr}`);
  if (r.status !== 0) throw new Error(`[${id}] failed (exit ${r.status}); see ${log}\n${r.stderr.slice(-2000)}`);
  writeFileAtomic(timesFile(), JSON.stringify({ ...loadTimes(), [id]: seconds }, null, 1));
  console.error(`[${id}] ${seconds.toFixed(0)} s`);
  return seconds;
}

const runsDir = (plan: DatasetPlan): string => join(OUT, plan.key, 'runs');
const hasCheckpoint = (run: string, steps: number): boolean => existsSync(join(run, 'checkpoints', `step-${steps}`));
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/**
 * The two pretrained models of a dataset, the same small body (2 layers × 128, 4 heads, 747k
 * parameters with the char vocabulary) and the same tokens per step: BERT (MLM) on 32 rows of 64
 * tokens, GPT (causal LM) on 16 rows of 128, the GPT's longer context leaving room for few-shot
 * demonstrations.
 */
const BODY = ['--nLayer', '2', '--nHead', '4', '--nEmbd', '128', '--dropout', '0.1'];
const SHAPE = { mlm: ['--blockSize', '64', '--batchSize', '32'], clm: ['--blockSize', '128', '--batchSize', '16'] };
function pretrain(plan: DatasetPlan, s: Splits, objective: 'mlm' | 'clm'): string {
  const name = runNameOf(objective === 'mlm' ? 'bert' : 'gpt');
  const run = join(runsDir(plan), name);
  const chosenSteps = objective === 'mlm' ? MLM_STEPS : CLM_STEPS;
  const steps = chosenSteps > 0 ? chosenSteps : plan.steps[objective];
  // A longer schedule keeps a checkpoint every quarter, so a shorter pretraining can be fine-tuned from (--bertCheckpoint, --gptCheckpoint).
  const every = chosenSteps > 0 ? steps / 4 : steps;
  const stoppedAt = objective === 'mlm' ? BERT_CHECKPOINT : GPT_CHECKPOINT;
  const wanted = stoppedAt > 0 ? stoppedAt : steps;
  step(`${plan.key}-pretrain-${name}`, 'train', [
    '--corpus', s.lm, '--objective', objective, ...(objective === 'mlm' && MLM_TOKENIZER ? MLM_TOKENIZER.args : plan.tokenizer), ...BODY, ...SHAPE[objective],
    '--steps', String(steps), '--lr', '1e-3', '--warmupSteps', '50', '--evalEvery', String(chosenSteps > 0 ? every : steps / 2), '--evalIters', '5',
    '--checkpointEvery', String(every), '--attentionSnapshots', 'false', '--sampleTokens', '0',
    '--runsDir', runsDir(plan), '--name', name,
  ], () => hasCheckpoint(run, wanted));
  return run;
}

/**
 * One fine-tuning recipe: a scope with its own learning rate and budget (fewer trainable weights want a larger lr); `layerDecay`: finetune's --layerDecay;
 * `evalEvery`: steps between validations (default a third of the budget), each keeping the weights if their macro-F1 is the best so far;
 * `patience`: finetune's --patience (stop after that many validations without a better macro-F1).
 */
interface Recipe { id: string; scope: string[]; steps: number; lr: string; layerDecay?: number; evalEvery?: number; patience?: number; only?: DatasetPlan['key'] }
/** LoRA rank 8, alpha 16, on the attention projections (finetune's default targets). */
const LORA_R8 = ['--scope', 'lora', '--lora-rank', '8', '--lora-alpha', '16'];
const BERT_RECIPES: Recipe[] = [
  { id: 'head', scope: ['--scope', 'head'], steps: 300, lr: '3e-3' },
  { id: 'all', scope: ['--scope', 'all'], steps: 150, lr: '3e-4' },
  // The same with a third of the budget: where pretraining shows (the scratch model catches up by 150 steps).
  { id: 'all-60', scope: ['--scope', 'all'], steps: 60, lr: '3e-4' },
  { id: 'lora', scope: LORA_R8, steps: 150, lr: '2e-3' },
  // SST-2: at 3e-4 neither BERT leaves the majority class in 150 steps.
  { id: 'all-lr1e-3', scope: ['--scope', 'all'], steps: 150, lr: '1e-3', only: 'sst2' },
  // SST-2, head only: its weaker MLM (val loss 5.8 vs waimai's 5.1) gives features a 3e-3 head barely moves off.
  { id: 'head-lr1e-2', scope: ['--scope', 'head'], steps: 300, lr: '1e-2', only: 'sst2' },
  // SST-2, LoRA: at 2e-3 for 150 steps neither twin leaves the majority class; the head's lr and budget.
  { id: 'lora-lr1e-2', scope: LORA_R8, steps: 300, lr: '1e-2', only: 'sst2' },
  // SST-2, all layers at the lr that trains them, on the short budget where pretraining shows before scratch catches up.
  { id: 'all-60-lr1e-3', scope: ['--scope', 'all'], steps: 60, lr: '1e-3', only: 'sst2' },
  // SST-2, all layers with layer-wise lr decay: the head at the lr, the pretrained lower layers slower.
  { id: 'all-lr1e-3-ld0.5', scope: ['--scope', 'all'], steps: 150, lr: '1e-3', layerDecay: 0.5, only: 'sst2' },
  { id: 'all-lr3e-3-ld0.3', scope: ['--scope', 'all'], steps: 150, lr: '3e-3', layerDecay: 0.3, only: 'sst2' },
  // SST-2, all layers to convergence: four times the budget (2.4 epochs of the training rows), validated every 50 steps,
  // the best validation macro-F1 kept, stopped after 4 validations (200 steps) without a better one.
  { id: 'all-600-lr1e-3', scope: ['--scope', 'all'], steps: 600, lr: '1e-3', evalEvery: 50, patience: 4, only: 'sst2' },
  { id: 'all-600-lr3e-4', scope: ['--scope', 'all'], steps: 600, lr: '3e-4', evalEvery: 50, patience: 4, only: 'sst2' },
  // SST-2, head only and LoRA to convergence the same way, at the lr that moves them off the majority class.
  { id: 'head-600-lr1e-2', scope: ['--scope', 'head'], steps: 600, lr: '1e-2', evalEvery: 50, patience: 4, only: 'sst2' },
  { id: 'lora-600-lr1e-2', scope: LORA_R8, steps: 600, lr: '1e-2', evalEvery: 50, patience: 4, only: 'sst2' },
  // At 1e-2 LoRA to convergence falls below the majority class on some seeds: a third of it.
  { id: 'lora-600-lr3e-3', scope: LORA_R8, steps: 600, lr: '3e-3', evalEvery: 50, patience: 4, only: 'sst2' },
];
const GPT_RECIPES: Recipe[] = [
  { id: 'all', scope: ['--scope', 'all'], steps: 150, lr: '3e-4' },
  { id: 'lora', scope: LORA_R8, steps: 150, lr: '2e-3' },
  // Head only (--gpt-only): the last real token's state, frozen, under a linear classifier.
  { id: 'head-lr1e-2', scope: ['--scope', 'head'], steps: 300, lr: '1e-2' },
  // All layers with layer-wise lr decay (--gpt-only).
  { id: 'all-lr1e-3-ld0.5', scope: ['--scope', 'all'], steps: 150, lr: '1e-3', layerDecay: 0.5 },
];
/** The recipes a full run (both models, with prompting) fine-tunes the GPT with; --gpt-only takes --recipes from all of them. */
const GPT_DEFAULT_RECIPES = ['all', 'lora'];
const recipesOf = (model: 'bert' | 'gpt'): Recipe[] => (model === 'bert' ? BERT_RECIPES : GPT_RECIPES);
/** The checkpoint a model is fine-tuned from when not its last (0): --bertCheckpoint / --gptCheckpoint. */
const checkpointOf = (model: 'bert' | 'gpt'): number => (model === 'bert' ? BERT_CHECKPOINT : GPT_CHECKPOINT);

interface FineTuned { model: 'bert' | 'gpt'; recipe: Recipe; pretrained: FineTuneResult; scratch: FineTuneResult; seconds: number; seed?: number }
/** The pretrained model's run folder name: the BERT's names a --mlmTokenizer. */
const runNameOf = (model: 'bert' | 'gpt'): string => (model === 'bert' && MLM_TOKENIZER ? MLM_TOKENIZER.name : model);
/** A recipe's run name on a model: its pooling, the recipe and how many rows trained (--trainRows). */
const recipeName = (model: 'bert' | 'gpt', r: Recipe): string => `${runNameOf(model)}-${model === 'bert' && POOLING === 'mean' ? 'mean-' : ''}${r.id}${rowsSuffix}`;
const checkpointSuffix = (model: 'bert' | 'gpt'): string => (checkpointOf(model) > 0 ? `-ckpt${checkpointOf(model)}` : '');
/** A seeded repeat's run folder names the checkpoint and the seed, so it never reuses another checkpoint's or seed's result. */
const seededSuffix = (model: 'bert' | 'gpt', seed: number | undefined): string => (seed === undefined ? '' : `${checkpointSuffix(model)}-seed${seed}`);
/** `npm run finetune --compare`: the recipe from the pretrained checkpoint and from random initialisation, same rows, order, budget and seed. */
function fineTune(plan: DatasetPlan, s: Splits, model: 'bert' | 'gpt', base: string, r: Recipe, seed?: number): FineTuned {
  const mean = model === 'bert' && POOLING === 'mean';
  const name = `${recipeName(model, r)}${seededSuffix(model, seed)}`;
  const from = checkpointOf(model) > 0 ? ['--checkpoint', String(checkpointOf(model))] : [];
  const dir = (init: string): string => join(runsDir(plan), `${name}-${init}`);
  const seconds = step(`${plan.key}-finetune-${name}`, 'finetune', [
    '--run', base, ...from, '--data', s.train, '--testData', s.test, '--valFraction', '0.1', ...r.scope, ...(mean ? ['--pooling', 'mean'] : []),
    '--steps', String(r.steps), '--lr', r.lr, ...(r.layerDecay ? ['--layerDecay', String(r.layerDecay)] : []), '--warmupSteps', String(Math.round(r.steps / 10)), '--batchSize', '32',
    '--maxLength', '48', '--evalEvery', String(r.evalEvery ?? r.steps / 3), ...(r.patience ? ['--patience', String(r.patience)] : []), ...(seed === undefined ? [] : ['--seed', String(seed)]),
    '--compare', '--runsDir', runsDir(plan), '--name', name,
  ], () => existsSync(join(dir('scratch'), 'eval.json')));
  return { model, recipe: r, seconds, seed, pretrained: readJson(join(dir('pretrained'), 'eval.json')), scratch: readJson(join(dir('scratch'), 'eval.json')) };
}

interface FineTuneResult {
  runDir: string; bestStep: number; trainableParameters: number; elapsedMs: number;
  test: Scores; majority: { label: string; accuracy: number; macroF1: number };
}
interface Scores { accuracy: number; macroF1: number }

/** A fine-tuned run scored (npm run evaluate) on other labeled rows; kept in the run folder as `<name>.json`. */
function evaluateOn(plan: DatasetPlan, run: string, data: string, name: string): Scores {
  const out = join(run, `${name}.json`);
  const id = `${plan.key}-${name}-${basename(run)}`;
  step(id, 'evaluate', ['--run', run, '--data', data], () => existsSync(out));
  if (!existsSync(out)) writeFileAtomic(out, readFileSync(join(OUT, 'logs', `${id}.log`), 'utf8').split('\n').find((l) => l.startsWith('{'))!);
  return readJson<Scores>(out);
}
/** A fine-tuned run scored on the prompting rows, so the two routes are compared on the same examples. */
const evaluateOnPromptRows = (plan: DatasetPlan, s: Splits, run: string): Scores => evaluateOn(plan, run, s.promptTest, 'eval-prompt-rows');

interface ShotScores { k: number; seed: number; metrics: Scores; cutExamples: number }
/** Few-shot evaluation (K = 0, 1, 2, 4, 8 per class, three seeded draws) by label-word likelihood. */
const SHOTS = '0,1,2,4,8';
const SEEDS = '1,2,3';
function prompt(plan: DatasetPlan, s: Splits, gpt: string, calibrate: boolean): ShotScores[] {
  const id = `${plan.key}-prompt-${calibrate ? 'calibrated' : 'raw'}`;
  const out = join(OUT, plan.key, `${id}.json`);
  step(id, 'prompt', [
    'few-shot', '--run', gpt, '--data', s.promptTest, '--pool', s.train, '--limit', String(PROMPT_ROWS),
    '--template', plan.template, ...plan.labels.flatMap((l) => ['--label', l]), '--separator', '\\n',
    '--shots', SHOTS, '--seeds', SEEDS, ...(calibrate ? ['--calibrate'] : []), '--json',
  ], () => existsSync(out));
  if (!existsSync(out)) {
    const log = readFileSync(join(OUT, 'logs', `${id}.log`), 'utf8');
    writeFileSync(out, log.split('\n').find((l) => l.startsWith('{'))!);
  }
  return readJson<{ results: ShotScores[] }>(out).results;
}

// ---- tables ----
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const f1 = (x: number): string => x.toFixed(3);
const mins = (seconds: number): string => `${(seconds / 60).toFixed(1)} min`;
function meanStd(xs: number[]): string {
  const { n, mean, std } = spread(xs);
  return n === 1 ? pct(mean) : `${pct(mean)} ± ${(100 * std).toFixed(1)}`;
}
const f1MeanStd = (xs: number[]): string => {
  const { n, mean, std } = spread(xs);
  return n === 1 ? f1(mean) : `${f1(mean)} ± ${f1(std)}`;
};

function trainSeconds(run: string): number {
  const lines = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n');
  return Number((JSON.parse(lines[lines.length - 1]) as { elapsedMs: number }).elapsedMs) / 1000;
}
function valLoss(run: string): string {
  const vals = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { valLoss?: number }).filter((r) => r.valLoss !== undefined);
  return `${vals[0].valLoss!.toFixed(2)} → ${vals[vals.length - 1].valLoss!.toFixed(2)}`;
}

function report(plan: DatasetPlan, s: Splits, bert: string, gpt: string, tuned: FineTuned[], promptRows: Map<string, Scores>, raw: ShotScores[], cal: ShotScores[]): string {
  const m = tuned[0].pretrained.majority;
  const promptLabels = readFileSync(s.promptTest, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0]);
  const promptMajority = promptLabels.filter((l) => l === m.label).length / promptLabels.length;
  const lines = [
    `### ${plan.key}: ${s.counts.labeled} labeled rows (${s.counts.train} to fine-tune, 10% of them for validation; ${s.counts.test} held out), pretraining text ${s.counts.lm} rows`,
    '',
    `Pretraining: BERT (MLM) ${plan.steps.mlm} steps, val loss ${valLoss(bert)}, ${mins(trainSeconds(bert))}; GPT (causal LM) ${plan.steps.clm} steps, val loss ${valLoss(gpt)}, ${mins(trainSeconds(gpt))}.`,
    '',
    `| model, scope | steps, lr | trains | test acc (pretrained) | test macro-F1 (pretrained) | test acc (scratch) | test macro-F1 (scratch) | prompt rows: acc (macro-F1) | time (both) |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...tuned.map((t) => `| ${t.model === 'bert' ? 'BERT [CLS]' : 'GPT last token'}, ${t.recipe.id} | ${t.recipe.steps}, ${t.recipe.lr} | ${t.pretrained.trainableParameters.toLocaleString('en')} | ${pct(t.pretrained.test.accuracy)} | ${f1(t.pretrained.test.macroF1)} | ${pct(t.scratch.test.accuracy)} | ${f1(t.scratch.test.macroF1)} | ${pct(promptRows.get(t.pretrained.runDir)!.accuracy)} (${f1(promptRows.get(t.pretrained.runDir)!.macroF1)}) | ${mins(t.seconds)} |`),
    `| majority class ('${m.label}') | | | ${pct(m.accuracy)} | ${f1(m.macroF1)} | | | ${pct(promptMajority)} | |`,
    '',
    `Prompting the pretrained GPT (no weights change), the same ${s.counts.promptTest} held-out rows (drawn at random from the test split; their majority class is ${pct(promptMajority)}), template \`${plan.template}\`, label words ${plan.labels.map((l) => `\`${l}\``).join(', ')}, K demonstrations per class from the fine-tuning rows; accuracy (macro-F1), mean ± std over seeds ${SEEDS}; "cut": prompts that lost demonstrations to the ${'128'}-token context:`,
    '',
    `| scoring | ${SHOTS.split(',').map((k) => `K=${k}`).join(' | ')} |`,
    `| --- | ${SHOTS.split(',').map(() => '---').join(' | ')} |`,
  ];
  for (const [name, rs] of [['label-word likelihood', raw], ['calibrated (content-free N/A)', cal]] as const) {
    const cells = SHOTS.split(',').map(Number).map((k) => {
      const at = rs.filter((r) => r.k === k);
      const cut = at.reduce((a, r) => a + r.cutExamples, 0) / at.length;
      return `${meanStd(at.map((r) => r.metrics.accuracy))} (${f1(at.reduce((a, r) => a + r.metrics.macroF1, 0) / at.length)})${cut ? `, cut ${cut.toFixed(0)}` : ''}`;
    });
    lines.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The BERT's table alone (--bert-only): pretrained vs scratch per scope, with the majority class. */
function bertReport(plan: DatasetPlan, s: Splits, bert: string, tuned: FineTuned[]): string {
  const m = tuned[0].pretrained.majority;
  const ckpt = BERT_CHECKPOINT > 0 ? `, fine-tuned from step ${BERT_CHECKPOINT}` : '';
  return [
    `### ${plan.key}: ${s.counts.labeled} labeled rows (${s.counts.train} to fine-tune, 10% of them for validation; ${s.counts.test} held out), pretraining text ${s.counts.lm} rows`,
    '',
    `BERT (MLM) schedule ${MLM_STEPS || plan.steps.mlm} steps${ckpt}, val loss ${valLoss(bert)}; classifier pooling '${POOLING}'.`,
    '',
    '| model, scope | steps, lr | trains | test acc (pretrained) | test macro-F1 (pretrained) | test acc (scratch) | test macro-F1 (scratch) | time (both) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...tuned.map((t) => `| BERT ${POOLING === 'mean' ? 'mean' : '[CLS]'}, ${t.recipe.id} | ${t.recipe.steps}, ${t.recipe.lr} | ${t.pretrained.trainableParameters.toLocaleString('en')} | ${pct(t.pretrained.test.accuracy)} | ${f1(t.pretrained.test.macroF1)} | ${pct(t.scratch.test.accuracy)} | ${f1(t.scratch.test.macroF1)} | ${mins(t.seconds)} |`),
    `| majority class ('${m.label}') | | | ${pct(m.accuracy)} | ${f1(m.macroF1)} | | | |`,
  ].join('\n');
}

/**
 * One model's table over seeds (--bert-only / --gpt-only with --seeds): per recipe, test accuracy and macro-F1 as
 * mean ± std over the seeds for the pretrained and the scratch twin, each seed's values beside it,
 * and OUT/<dataset>/seeds/<run>.json with the per-seed scores.
 */
function seedsReport(plan: DatasetPlan, s: Splits, model: 'bert' | 'gpt', base: string, tuned: FineTuned[][]): string {
  const m = tuned[0][0].pretrained.majority;
  const ckpt = checkpointOf(model) > 0 ? `, fine-tuned from step ${checkpointOf(model)}` : '';
  const pooling = model === 'bert' ? POOLING : 'last';
  mkdirSync(join(OUT, plan.key, 'seeds'), { recursive: true });
  const rows = tuned.map((runs) => {
    const r = runs[0].recipe;
    const acc = (side: 'pretrained' | 'scratch') => runs.map((t) => t[side].test.accuracy);
    const mf1 = (side: 'pretrained' | 'scratch') => runs.map((t) => t[side].test.macroF1);
    const name = `${recipeName(model, r)}${checkpointSuffix(model)}`;
    const side = (k: 'pretrained' | 'scratch') => ({ accuracy: spread(acc(k)), macroF1: spread(mf1(k)) });
    // The twins of one seed share split, order and head initialisation: their difference is paired.
    const gain = { accuracy: spread(runs.map((t) => t.pretrained.test.accuracy - t.scratch.test.accuracy)), macroF1: spread(runs.map((t) => t.pretrained.test.macroF1 - t.scratch.test.macroF1)) };
    // Both twins on the test rows that occur in no training row (the rows memory cannot score).
    const unseen = runs.map((t) => ({ pretrained: evaluateOn(plan, t.pretrained.runDir, s.unseenTest, 'eval-unseen'), scratch: evaluateOn(plan, t.scratch.runDir, s.unseenTest, 'eval-unseen') }));
    const unseenGain = spread(unseen.map((u) => u.pretrained.accuracy - u.scratch.accuracy));
    // A reused step whose time was not recorded has NaN seconds: the time is summarised over the others.
    const timed = runs.map((t) => t.seconds).filter(Number.isFinite);
    const seconds = timed.length > 0 ? spread(timed) : null;
    writeFileAtomic(join(OUT, plan.key, 'seeds', `${name}.json`), JSON.stringify({
      dataset: plan.key, model, recipe: r, pooling, checkpoint: checkpointOf(model) || 'last', majority: m,
      seeds: runs.map((t, i) => ({ seed: t.seed, seconds: Number.isFinite(t.seconds) ? t.seconds : null, pretrained: t.pretrained.test, scratch: t.scratch.test, unseen: unseen[i], pretrainedRun: t.pretrained.runDir, scratchRun: t.scratch.runDir })),
      summary: { pretrained: side('pretrained'), scratch: side('scratch'), pretrainedMinusScratch: gain, unseenAccuracyGain: unseenGain, seconds },
    }, null, 1) + '\n');
    const perSeed = runs.map((t) => `${t.seed}: ${pct(t.pretrained.test.accuracy)} / ${f1(t.pretrained.test.macroF1)} vs ${pct(t.scratch.test.accuracy)} / ${f1(t.scratch.test.macroF1)}`).join('; ');
    return `| ${r.id} | ${r.steps}, ${r.lr} | ${runs[0].pretrained.trainableParameters.toLocaleString('en')} | ${meanStd(acc('pretrained'))} | ${f1MeanStd(mf1('pretrained'))} | ${meanStd(acc('scratch'))} | ${f1MeanStd(mf1('scratch'))} | ${signed(100 * gain.accuracy.mean, 1)} ± ${(100 * gain.accuracy.std).toFixed(1)} pt / ${signed(gain.macroF1.mean, 3)} ± ${gain.macroF1.std.toFixed(3)} | ${signed(100 * unseenGain.mean, 1)} ± ${(100 * unseenGain.std).toFixed(1)} pt | ${perSeed} | ${seconds ? mins(seconds.mean) : '?'} |`;
  });
  return [
    `### ${plan.key}: ${s.counts.labeled} labeled rows (${s.counts.train} to fine-tune, 10% of them for validation; ${s.counts.test} held out), pretraining text ${s.counts.lm} rows`,
    '',
    `${model === 'bert' ? `BERT (MLM) schedule ${MLM_STEPS || plan.steps.mlm}` : `GPT (causal LM) schedule ${CLM_STEPS || plan.steps.clm}`} steps${ckpt}, val loss ${valLoss(base)}; classifier pooling '${pooling}'; seeds ${FT_SEEDS.join(', ')} (mean ± sample std; per seed: pretrained acc / F1 vs scratch acc / F1).`,
    '',
    `| scope | steps, lr | trains | test acc (pretrained) | test macro-F1 (pretrained) | test acc (scratch) | test macro-F1 (scratch) | pretrained − scratch (paired: acc / F1) | the same, acc on the ${s.counts.unseenTest} test rows in no training row | per seed | time (both, mean) |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    `| majority class ('${m.label}') | | | ${pct(m.accuracy)} | ${f1(m.macroF1)} | | | | | | |`,
  ].join('\n');
}
const signed = (x: number, digits: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;

const STAGES = ['prepare', 'pretrain', 'finetune', 'gpt', 'prompt', 'all'];
if (!STAGES.includes(STAGE)) throw new Error(`--stage must be one of ${STAGES.join(', ')}`);
const runs = (stage: string): boolean => STAGE === 'all' || STAGE === stage;
const reports: string[] = [];
for (const plan of PLANS.filter((p) => !ONLY || p.key === ONLY)) {
  const s = prepare(plan);
  if (STAGE === 'prepare') continue;
  const chosen = (r: Recipe) => (!r.only || r.only === plan.key) && (!RECIPES || RECIPES.split(',').includes(r.id));
  if (ONE_MODEL && FT_SEEDS.length > 0) {
    const base = pretrain(plan, s, ONE_MODEL === 'bert' ? 'mlm' : 'clm');
    // Seed by seed, so that an interrupted run has whole seeds of every recipe rather than all seeds of a few.
    const recipes = recipesOf(ONE_MODEL).filter(chosen);
    const stage = ONE_MODEL === 'bert' ? 'finetune' : 'gpt';
    const bySeed = runs(stage) ? FT_SEEDS.map((seed) => recipes.map((r) => fineTune(plan, s, ONE_MODEL, base, r, seed))) : [];
    if (STAGE !== 'all') continue;
    reports.push(seedsReport(plan, s, ONE_MODEL, base, recipes.map((_, i) => bySeed.map((row) => row[i]))));
    console.log(reports[reports.length - 1] + '\n');
    continue;
  }
  if (GPT_ONLY) throw new Error('--gpt-only reports over seeds: give --seeds');
  const bert = pretrain(plan, s, 'mlm');
  if (BERT_ONLY) {
    const tuned = runs('finetune') ? BERT_RECIPES.filter(chosen).map((r) => fineTune(plan, s, 'bert', bert, r)) : [];
    if (STAGE !== 'all') continue;
    reports.push(bertReport(plan, s, bert, tuned));
    console.log(reports[reports.length - 1] + '\n');
    continue;
  }
  const gpt = pretrain(plan, s, 'clm');
  const tuned = runs('finetune') ? BERT_RECIPES.filter(chosen).map((r) => fineTune(plan, s, 'bert', bert, r)) : [];
  if (runs('gpt')) tuned.push(...GPT_RECIPES.filter((r) => GPT_DEFAULT_RECIPES.includes(r.id)).map((r) => fineTune(plan, s, 'gpt', gpt, r)));
  const raw = runs('prompt') ? prompt(plan, s, gpt, false) : [];
  const cal = runs('prompt') ? prompt(plan, s, gpt, true) : [];
  if (STAGE !== 'all') continue;
  const promptRows = new Map(tuned.map((t) => [t.pretrained.runDir, evaluateOnPromptRows(plan, s, t.pretrained.runDir)]));
  reports.push(report(plan, s, bert, gpt, tuned, promptRows, raw, cal));
  console.log(reports[reports.length - 1] + '\n');
}
if (STAGE === 'all') writeFileSync(join(OUT, 'report.md'), reports.join('\n\n') + '\n');
