// `npm run evaluate -- --run runs/<fine-tuned run> --data <labeled file>`: a fine-tuned classifier's
// scores on labeled rows (the columns the run was trained with), as one JSON object: accuracy,
// macro-F1, per-class precision/recall/F1, the confusion matrix (rows true, columns predicted).
import { resolve } from 'node:path';
import { parseArgs } from '../engine/config/args.ts';
import { evaluateRun, predictText } from '../engine/finetune/run.ts';
import { openGpu, runWithDriver } from './driver.ts';

const DEFAULTS = { run: '', data: '', text: '', pair: '', checkpoint: 0, batchSize: 32, badRows: 'skip', driver: 'auto', help: false };

const HELP = [
  'Usage: npm run evaluate -- --run <fine-tuned run> --data <labeled .csv/.tsv/.jsonl> [options]',
  '',
  "Scores a classifier made by `npm run finetune` on labeled rows (its own text and label columns).",
  'Prints one JSON object: accuracy, macroF1, perClass (precision, recall, f1, support), confusion',
  '(rows: true label, columns: predicted, in id2label order), loss, count, skipped rows.',
  '',
  '  --run <dir>            the fine-tuned run folder',
  '  --data <file>          labeled rows',
  '  --text <text>          instead of --data: one text, printed with each label\'s probability',
  '  --pair <text>          its second text, for a classifier of sentence pairs',
  '  --checkpoint <step>    which checkpoints/step-N; 0 = the latest (the best by validation) [0]',
  '  --batchSize <n>        rows per forward pass [32]',
  '  --badRows skip|refuse  rows without text or label [skip]',
  '  --driver <d>           Vulkan driver: auto | native | lavapipe | swiftshader | /path/to/icd.json [auto]',
  '  --help                 this text',
  '',
].join('\n');

function fail(message: string, code = 2): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let v: typeof DEFAULTS;
  try {
    const parsed = parseArgs(process.argv.slice(2), DEFAULTS, ['help']);
    if (parsed.positional.length) throw new Error(`unexpected argument '${parsed.positional[0]}' (options start with --; see --help)`);
    v = parsed.values;
  } catch (err) {
    fail((err as Error).message);
  }
  if (v.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  if (!v.run) fail('no run: pass --run runs/<fine-tuned run> (see --help)');
  if (!v.data && !v.text) fail('no labeled data: pass --data <file> or --text "…" (see --help)');
  if (v.badRows !== 'skip' && v.badRows !== 'refuse') fail(`--badRows must be skip or refuse (got '${v.badRows}')`);
  await runWithDriver(v.driver);
  const ctx = await openGpu((line) => process.stderr.write(line + '\n'));
  try {
    if (v.text) {
      const p = await predictText(ctx, resolve(v.run), v.text, v.pair || undefined, v.checkpoint);
      process.stdout.write(`${p.label}  (${p.probabilities.map((x) => `${x.label} ${x.probability.toFixed(3)}`).join(', ')})\n`);
      process.exit(0);
    }
    const scores = await evaluateRun(ctx, resolve(v.run), resolve(v.data), { batchSize: v.batchSize, badRows: v.badRows, checkpoint: v.checkpoint });
    process.stdout.write(JSON.stringify(scores) + '\n');
  } catch (err) {
    fail((err as Error).message, 1);
  }
  process.exit(0);
}

void main();
