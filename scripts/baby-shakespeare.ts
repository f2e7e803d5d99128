// The reference quality benchmark (not a test): nanoGPT's CPU "baby shakespeare_char" run.
// Char-level GPT on ../shared/datasets/tinyshakespeare.txt (first 90% train, last 10% validation),
// preset baby-shakespeare-char (4 layers, 4 heads, 128 wide, context 64, batch 12, AdamW 1e-3,
// 100 warm-up steps then cosine to 1e-4 at 2000, clip 1.0). Prints the validation curve, wall
// time and tokens/s, and writes them as JSON. nanoGPT reports val loss ~1.88 at 2000 steps.
//
//   node --import tsx --import ./scripts/register-wgsl.mjs scripts/baby-shakespeare.ts \
//     [--steps 2000] [--evalEvery 250] [--evalIters 200] [--out runs/baby-shakespeare.json] [--corpus path]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from '../src/engine/config/args.ts';
import { PRESETS } from '../src/engine/config/presets.ts';
import { DEFAULT_TRAIN_OPTIONS, validateTrainOptions, type TrainOptions } from '../src/engine/config/train-config.ts';
import { TrainingRun, type TrainerEvent } from '../src/engine/train/index.ts';
import { openGpu } from '../src/cli/driver.ts';

const ROOT = resolve(import.meta.dirname, '..');
const args = parseArgs(process.argv.slice(2), {
  steps: 2000, evalEvery: 250, evalIters: 200, sampleTokens: 300,
  corpus: resolve(ROOT, '../shared/datasets/tinyshakespeare.txt'),
  out: join(ROOT, 'runs', 'baby-shakespeare.json'),
  runsDir: join(ROOT, 'runs'),
}).values;

if (!existsSync(args.corpus)) {
  process.stderr.write(`The reference corpus is missing: ${args.corpus} (see ../shared/datasets/README.md)\n`);
  process.exit(1);
}

const options: TrainOptions = validateTrainOptions({
  ...DEFAULT_TRAIN_OPTIONS,
  ...PRESETS['baby-shakespeare-char'].options,
  corpus: [args.corpus],
  runsDir: args.runsDir,
  name: `baby-shakespeare-${new Date().toISOString().replace(/[:.]/g, '-')}`,
  steps: args.steps,
  evalEvery: args.evalEvery,
  evalIters: args.evalIters,
  sampleTokens: args.sampleTokens,
  logEvery: 50,
  checkpointEvery: Math.max(args.steps, 1),
  keepCheckpoints: 1,
});

const log = (line: string) => process.stdout.write(line + '\n');
const ctx = await openGpu(log);
const curve: { step: number; valLoss: number; evalMs: number }[] = [];
const train: { step: number; loss: number; tokensPerSecond?: number }[] = [];
let lastSample = '';
const onEvent = (e: TrainerEvent) => {
  if (e.type === 'run.prepare' && e.phase !== 'import') log(`[${e.phase}] ${e.message}`);
  if (e.type === 'run.started') log(`run ${e.runDir}: ${e.parameters.toLocaleString('en-US')} parameters, vocab ${e.model.vocabSize}`);
  if (e.type === 'run.metrics') {
    for (const r of e.records) {
      train.push({ step: r.step, loss: r.loss as number, ...(typeof r.tokensPerSecond === 'number' ? { tokensPerSecond: r.tokensPerSecond } : {}) });
      log(`step ${r.step}: loss ${(r.loss as number).toFixed(4)}  ${typeof r.tokensPerSecond === 'number' ? Math.round(r.tokensPerSecond) : '--'} tok/s`);
    }
  }
  if (e.type === 'run.eval') {
    curve.push({ step: e.record.step, valLoss: e.record.valLoss as number, evalMs: e.record.evalMs as number });
    log(`step ${e.record.step}: val loss ${(e.record.valLoss as number).toFixed(4)} (${args.evalIters} batches in ${((e.record.evalMs as number) / 1000).toFixed(1)} s)`);
  }
  if (e.type === 'run.sample') lastSample = e.text;
};

const wallStart = performance.now();
const summary = await new TrainingRun(ctx, { kind: 'new', options }, { onEvent }).start();
const wallMs = performance.now() - wallStart;
const trainSteps = summary.step;
const result = {
  workload: 'baby-shakespeare-char (nanoGPT shakespeare_char CPU config)',
  adapter: ctx.report.description || ctx.report.device,
  driver: process.env.VK_ICD_FILENAMES ?? 'system',
  steps: trainSteps,
  evalEvery: args.evalEvery,
  evalIters: args.evalIters,
  finalValLoss: curve.at(-1)?.valLoss,
  valCurve: curve,
  trainCurve: train,
  wallSeconds: wallMs / 1000,
  trainTokensPerSecond: summary.tokensPerSecond,
  msPerStep: (12 * 64) / summary.tokensPerSecond * 1000,
  evalSecondsTotal: curve.reduce((s, c) => s + c.evalMs, 0) / 1000,
  runDir: summary.runDir,
  sample: lastSample,
};
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, JSON.stringify(result, null, 2) + '\n');
log(`\nval loss curve: ${curve.map((c) => `${c.step}:${c.valLoss.toFixed(3)}`).join('  ')}`);
log(`wall ${result.wallSeconds.toFixed(1)} s, ${Math.round(result.trainTokensPerSecond)} train tokens/s (${result.msPerStep.toFixed(1)} ms/step), evaluation ${result.evalSecondsTotal.toFixed(1)} s`);
log(`sample:\n${lastSample}`);
log(`written ${args.out}`);
process.exit(0);
