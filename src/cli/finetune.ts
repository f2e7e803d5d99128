// `npm run finetune -- --run runs/<pretrained> --data <labeled file> [--scope head|top:N|all|lora]
//  [--compare] [--key value …]`: a classifier on a pretrained run (BERT: [CLS]; GPT: last token;
//  BART: first decoder position),
// trained and scored (validation during training, test at the end), written as a run folder.
// `npm run finetune -- --merge-lora runs/<LoRA run>` writes its adapters merged into the weights.
// `npm run finetune -- --resume runs/<fine-tuned run> [--steps N]` continues a stopped one (Ctrl-C
// stops a fine-tune at the end of its step and saves what resume needs).
// --compare also trains the same architecture from random initialisation on the same rows with the
// same budget and prints both scores and the majority-class baseline ("what pretraining buys").
import { parseArgs } from '../engine/config/args.ts';
import { mergeLoraRun } from '../engine/finetune/merge.ts';
import { classifierLayout, FINETUNE_DEFAULTS, fineTune, loadLabeledData, type FineTuneOptions, type FineTuneResult, type LabeledData } from '../engine/finetune/run.ts';
import { CLASSIFIER_POOLINGS, type ClassifierPooling } from '../engine/model/heads/classify.ts';
import { LORA_DEFAULTS, type LoraSpec } from '../engine/model/lora.ts';
import { readRunConfig } from '../engine/train/run-folder.ts';
import { parseScope } from '../engine/finetune/scope.ts';
import { resumeRequest } from '../engine/finetune/resume.ts';
import { stopOnInterrupt } from './interrupt.ts';
import { openGpu, runWithDriver } from './driver.ts';

const { scope: _scope, pooling: _pooling, ...NUMERIC } = FINETUNE_DEFAULTS;
const DEFAULTS = {
  ...NUMERIC, pooling: 'cls' as string, run: '', data: '', textField: '', pairField: '', labelField: '', scope: 'all',
  scratch: false, compare: false, json: false, driver: 'auto', help: false,
  'lora-rank': LORA_DEFAULTS.rank, 'lora-alpha': LORA_DEFAULTS.alpha, 'lora-dropout': LORA_DEFAULTS.dropout, 'lora-targets': LORA_DEFAULTS.targets as string,
  'merge-lora': '', out: '', resume: '',
};
const LORA_KEYS = ['lora-rank', 'lora-alpha', 'lora-dropout', 'lora-targets'] as const;

const HELP = [
  'Usage: npm run finetune -- --run <pretrained run> --data <labeled .csv/.tsv/.jsonl> [options]',
  '',
  'Fine-tunes a classifier on a pretrained run: BERT classifies the pooled [CLS], GPT its last real',
  'token, BART its first decoder position (the decoder reads [CLS] and cross-attends over the row) or,',
  'with --pooling eos, its last [SEP] as Hugging Face\'s BartForSequenceClassification;',
  'with a second text column, rows are sentence pairs ([CLS] A [SEP] B [SEP]).',
  '',
  '  --run <dir>            the pretrained run folder (its tokenizer, model and latest checkpoint)',
  '  --checkpoint <step>    which checkpoints/step-N of it; 0 = the latest [0]',
  '  --data <file>          labeled rows; validation and test are split off it (stratified, seeded)',
  '  --valData <file>       validation rows from their own file instead [none]',
  '  --testData <file>      test rows from their own file instead [none]',
  '  --textField <col>      the text column (guessed from text, sentence, review … when not given)',
  '  --pairField <col>      a second text column, for sentence pairs (guessed: sentence2, text_b …)',
  '  --labelField <col>     the label column (guessed: label, class, sentiment …); any strings',
  '  --badRows skip|refuse  rows without text or label: skipped and listed, or refused [skip]',
  `  --valFraction <f>      of each class for validation [${FINETUNE_DEFAULTS.valFraction}]`,
  `  --testFraction <f>     of each class for test [${FINETUNE_DEFAULTS.testFraction}]`,
  '  --scope <s>            what trains: head | top:N (the head and the top N layers; BART: decoder layers) | all | lora [all]',
  '  --pooling <p>          the features: cls (BERT: the pooled [CLS], BertForSequenceClassification; BART:',
  '                         the first decoder position) | mean (BERT: the mean of the last hidden states over',
  '                         real tokens, then the same pooler and classifier, as ModernBERT\'s) | eos (BART: the',
  '                         decoder reads the row shifted right, the state at its last [SEP] is classified,',
  '                         BartForSequenceClassification\'s); config.json classifier_pooling [cls]',
  `  --lora-rank <r>        LoRA: the adapters' rank [${LORA_DEFAULTS.rank}]`,
  `  --lora-alpha <a>       LoRA: the update is scaled by alpha / r [${LORA_DEFAULTS.alpha}]`,
  `  --lora-dropout <p>     LoRA: dropout on each adapter's input in training (PEFT's lora_dropout) [${LORA_DEFAULTS.dropout}]`,
  '  --lora-targets <t>     LoRA: attention (q, k, v, attention output; BART: of cross-attention too) | all-linear (and the MLP) [attention]',
  `  --steps <n>            optimizer steps [${FINETUNE_DEFAULTS.steps}]`,
  `  --batchSize <n>        rows per step [${FINETUNE_DEFAULTS.batchSize}]`,
  `  --maxLength <n>        tokens per row, longer rows truncated (at most the model's blockSize) [${FINETUNE_DEFAULTS.maxLength}]`,
  `  --lr <x>               peak learning rate, linear warmup then linear decay to 0 [${FINETUNE_DEFAULTS.lr}]`,
  '  --layerDecay <f>       layer-wise lr decay: the head at lr, the top layer at f x lr, each layer below',
  `                         one more factor f, the embeddings one more (ELECTRA's); 1 = off [${FINETUNE_DEFAULTS.layerDecay}]`,
  `  --warmupSteps <n>      [${FINETUNE_DEFAULTS.warmupSteps}]`,
  `  --weightDecay <x>      [${FINETUNE_DEFAULTS.weightDecay}]`,
  `  --gradClip <x>         [${FINETUNE_DEFAULTS.gradClip}]`,
  `  --evalEvery <n>        validation scores every n steps; the best weights (macro-F1) are kept [${FINETUNE_DEFAULTS.evalEvery}]`,
  '  --checkpointEvery <n>  also save the resume state every n steps between evaluations; 0 = only at evaluations [0]',
  `  --checkpointMinutes <m> and after m minutes without one (what a crash can cost); 0 = no time rule [${FINETUNE_DEFAULTS.checkpointMinutes}]`,
  '  --patience <n>         stop after n evaluations without a better validation macro-F1; 0 = never [0]',
  `  --seed <n>             split, order, head initialisation, dropout [${FINETUNE_DEFAULTS.seed}]`,
  '  --scratch              train the same architecture from random initialisation instead',
  '  --compare              train both (pretrained, then from scratch, same rows and budget) and compare',
  '  --runsDir <dir>        where the run folder goes [runs]',
  '  --name <name>          its name [classify-<run>-<init>-<time>]',
  '  --json                 print the results as one JSON object',
  '  --driver <d>           Vulkan driver: auto | native | lavapipe | swiftshader | /path/to/icd.json [auto]',
  '  --help                 this text',
  '',
  'npm run finetune -- --resume <fine-tuned run> [--steps <n>]',
  '  continues a stopped fine-tune (Ctrl-C, Stop in the app, a crash) from its last evaluation, stop or',
  '  saved resume state (--checkpointEvery, --checkpointMinutes),',
  '  with the same rows, order, optimizer state and dropout: the curve goes on as if it had not stopped;',
  '  --steps raises (or lowers) the total. The labeled files must be where, and as, they were.',
  '',
  'npm run finetune -- --merge-lora <LoRA run> [--out <dir>] [--checkpoint <step>]',
  '  writes <run>-merged (or --out): a plain classifier with W + (alpha/r)·B·A in place of each adapter',
  '',
  'Scores: accuracy, macro-F1, per-class precision/recall, confusion matrix (rows: true label) on the',
  "test split with the best validation weights; written to the run's eval.json.",
  '',
].join('\n');

function fail(message: string, code = 2): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

function describeData(d: LabeledData): string {
  const lines: string[] = [];
  const guessed = d.guessed.length ? ` (guessed: ${d.guessed.map((k) => `${k} = '${d.columns[k]}'`).join(', ')}; name them with --textField/--labelField)` : '';
  lines.push(`columns: text '${d.columns.text}'${d.columns.pair ? `, pair '${d.columns.pair}'` : ''}, label '${d.columns.label}'${guessed}`);
  const bal = (counts: number[]) => d.labels.id2label.map((l, i) => `${l} ${counts[i]}`).join(' / ');
  lines.push(`labels: ${d.labels.id2label.map((l, i) => `${i}=${l}`).join(', ')}`);
  lines.push(`train ${d.splits.train.length} (${bal(d.balance.train)}), validation ${d.splits.val.length} (${bal(d.balance.val)}), test ${d.splits.test.length} (${bal(d.balance.test)})`);
  if (d.bad.length) {
    lines.push(`skipped ${d.bad.length} bad row${d.bad.length > 1 ? 's' : ''} (--badRows refuse stops instead):`);
    for (const b of d.bad.slice(0, 5)) lines.push(`  ${b.file}:${b.line}: ${b.reason}`);
    if (d.bad.length > 5) lines.push(`  … ${d.bad.length - 5} more`);
  }
  return lines.join('\n');
}

function describeResult(r: FineTuneResult, labels: readonly string[]): string {
  const s = r.test ?? r.val;
  const which = r.test ? 'test' : 'validation';
  const lines = [
    `${r.init} (${r.scope}, ${r.trainableParameters.toLocaleString('en')} of ${r.parameters.toLocaleString('en')} parameters train): ${r.steps} steps in ${(r.elapsedMs / 1000).toFixed(1)} s, best validation macro-F1 ${r.val.macroF1.toFixed(4)} at step ${r.bestStep}`,
    `  ${which}: accuracy ${pct(s.accuracy)}, macro-F1 ${s.macroF1.toFixed(4)}, loss ${s.loss.toFixed(4)} (${s.count} rows)`,
    ...s.perClass.map((c) => `    ${c.label.padEnd(12)} precision ${c.precision.toFixed(3)}  recall ${c.recall.toFixed(3)}  F1 ${c.f1.toFixed(3)}  (${c.support})`),
    `  confusion (rows true, columns predicted: ${labels.join(', ')}):`,
    ...s.confusion.map((row, i) => `    ${labels[i].padEnd(12)} ${row.map((x) => String(x).padStart(6)).join('')}`),
    `  run folder: ${r.runDir}`,
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  let v: typeof DEFAULTS;
  let given: ReadonlySet<string>;
  try {
    const parsed = parseArgs(process.argv.slice(2), DEFAULTS, ['help', 'json', 'scratch', 'compare']);
    if (parsed.positional.length) throw new Error(`unexpected argument '${parsed.positional[0]}' (options start with --; see --help)`);
    v = parsed.values;
    given = parsed.given as ReadonlySet<string>;
  } catch (err) {
    fail((err as Error).message);
  }
  if (v.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  if (v['merge-lora']) {
    try {
      const m = mergeLoraRun(v['merge-lora'], { checkpoint: v.checkpoint, out: v.out });
      process.stdout.write(`merged ${m.merged} LoRA adapters of step-${m.step} into the base weights: ${m.runDir}\n`);
    } catch (err) {
      fail((err as Error).message, 1);
    }
    process.exit(0);
  }
  if (v.resume) {
    if (v.compare || v.scratch) fail('--resume continues one run as it was started: --compare and --scratch do not apply');
    const stray = [...given].filter((k) => k !== 'resume' && k !== 'steps' && k !== 'json' && k !== 'driver');
    if (stray.length) fail(`--resume takes the run's own settings; only --steps, --json and --driver apply (got --${stray[0]})`);
  }
  if (!v.run && !v.resume) fail('no pretrained run: pass --run runs/<name> (see --help)');
  if (!v.data && !v.resume) fail('no labeled data: pass --data <file.csv|.tsv|.jsonl> (see --help)');
  if (v.badRows !== 'skip' && v.badRows !== 'refuse') fail(`--badRows must be skip or refuse (got '${v.badRows}')`);
  for (const k of ['steps', 'batchSize', 'maxLength', 'evalEvery'] as const) if (!(Number.isInteger(v[k]) && v[k] >= 1)) fail(`--${k} must be a positive integer`);
  if (!(Number.isInteger(v.checkpointEvery) && v.checkpointEvery >= 0)) fail('--checkpointEvery must be 0 or a positive integer');
  if (!(Number.isFinite(v.checkpointMinutes) && v.checkpointMinutes >= 0)) fail('--checkpointMinutes must be 0 or a positive number');
  if (!(v.layerDecay > 0 && v.layerDecay <= 1)) fail(`--layerDecay must be in (0, 1] (1 = off), got ${v.layerDecay}`);
  let options: FineTuneOptions;
  let data: LabeledData;
  try {
    if (v.resume) {
      options = resumeRequest(v.resume, given.has('steps') ? v.steps : undefined).options;
      data = loadLabeledData(options);
    } else {
      ({ options, data } = newRequest(v, given));
    }
  } catch (err) {
    fail((err as Error).message, 1);
  }
  // The driver plan re-runs this command in a child process: the summary is printed there, once.
  await runWithDriver(v.driver);
  if (!v.json) process.stdout.write(describeData(data) + '\n');
  const ctx = await openGpu((line) => process.stderr.write(line + '\n'));
  const inits: FineTuneOptions['init'][] = v.compare ? ['pretrained', 'scratch'] : [options.init];
  const results: FineTuneResult[] = [];
  let stopRequested = false;
  const interrupted = stopOnInterrupt(() => (stopRequested = true), 'scoring and saving the run (resume it with --resume)');
  const control = { between: async () => stopRequested };
  try {
    for (const init of inits) {
      if (stopRequested) break;
      const o = { ...options, init, name: options.name && inits.length > 1 && !v.resume ? `${options.name}-${init}` : options.name };
      const r = await fineTune(ctx, o, data, (e) => {
        if (v.json) return;
        if (e.kind === 'log') process.stdout.write(`${e.message}\n`);
        if (e.kind === 'val' && e.record) process.stdout.write(`[${init}] step ${e.record.step}: validation loss ${Number(e.record.valLoss).toFixed(4)}, accuracy ${pct(Number(e.record.valAccuracy))}, macro-F1 ${Number(e.record.valMacroF1).toFixed(4)}\n`);
      }, control, Boolean(v.resume));
      results.push(r);
      if (!v.json) process.stdout.write(describeResult(r, data.labels.id2label) + '\n');
      if (!v.json && r.steps < o.steps && !r.earlyStopped) process.stdout.write(`stopped at step ${r.steps} of ${o.steps}; resume: npm run finetune -- --resume ${r.runDir}\n`);
    }
  } catch (err) {
    fail((err as Error).message, 1);
  }
  const m = results[0].majority;
  if (v.json) {
    process.stdout.write(JSON.stringify({ labels: data.labels.id2label, columns: data.columns, skippedRows: data.bad.length, majority: m, runs: results }) + '\n');
  } else {
    process.stdout.write(`majority class ('${m.label}'): accuracy ${pct(m.accuracy)}, macro-F1 ${m.macroF1.toFixed(4)}\n`);
    if (results.length === 2) {
      const [p, s] = results.map((r) => r.test ?? r.val);
      process.stdout.write(`what pretraining buys: accuracy ${pct(p.accuracy)} vs ${pct(s.accuracy)} from scratch, macro-F1 ${p.macroF1.toFixed(4)} vs ${s.macroF1.toFixed(4)}\n`);
    }
  }
  process.exit(interrupted() ? 130 : 0);
}

/** A new fine-tune's options and data from the command line (scope checked against the model first). */
function newRequest(v: typeof DEFAULTS, given: ReadonlySet<string>): { options: FineTuneOptions; data: LabeledData } {
  const lora: LoraSpec = { rank: v['lora-rank'], alpha: v['lora-alpha'], dropout: v['lora-dropout'], targets: v['lora-targets'] as LoraSpec['targets'] };
  const scope = parseScope(v.scope, lora);
  const stray = LORA_KEYS.filter((k) => given.has(k));
  if (scope.kind !== 'lora' && stray.length) throw new Error(`--${stray[0]} applies to --scope lora only (the scope is '${v.scope}')`);
  // Refuse a scope the model cannot take (a rank wider than a layer, dropout, BART) before reading the data.
  const pooling = v.pooling as ClassifierPooling;
  if (!CLASSIFIER_POOLINGS.includes(pooling)) throw new Error(`--pooling must be one of ${CLASSIFIER_POOLINGS.join(', ')} (got '${v.pooling}')`);
  classifierLayout(readRunConfig(v.run).pretrain_studio.model, 2, scope, pooling);
  const options: FineTuneOptions = {
    ...v, from: v.run, scope, pooling, init: v.scratch ? 'scratch' : 'pretrained', badRows: v.badRows,
    textField: v.textField || undefined, pairField: v.pairField || undefined, labelField: v.labelField || undefined,
  };
  return { options, data: loadLabeledData(options) };
}

void main();
