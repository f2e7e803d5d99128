// `npm run fill-mask -- --run runs/<name> --text "The capital of France is [MASK]." [--top-k 5]
//  [--next "B"] [--checkpoint N] [--json]`: a trained BERT's top candidates and their probabilities
// at every [MASK] of the text, and with --next the probability that B follows the text (NSP).
// Results go to stdout (one block per [MASK], or one JSON object with --json); the adapter line to stderr.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from '../engine/config/args.ts';
import { EncoderForward, fillMask, nextSentenceProbability } from '../engine/inspect/fill-mask.ts';
import { buildParamLayout } from '../engine/model/params.ts';
import { latestCheckpoint, listCheckpoints } from '../engine/runstore/checkpoints.ts';
import { loadTokenizer, MASK } from '../engine/tokenizers/index.ts';
import { deserializeModel, readRunConfig, TOKENIZER_FILE } from '../engine/train/index.ts';
import { openGpu, runWithDriver } from './driver.ts';

const DEFAULTS = { run: '', text: '', next: '', topK: 5, checkpoint: 0, json: false, driver: 'auto', help: false };

const HELP = [
  'Usage: npm run fill-mask -- --run <run folder> --text "… [MASK] …" [options]',
  '',
  "Predicts every [MASK] of the text with a trained BERT (objective mlm or mlm+nsp).",
  '',
  '  --run <dir>          the run folder (config.json, tokenizer.json, checkpoints/)',
  '  --text <text>        the sentence, with one or more [MASK]s',
  '  --top-k <k>          candidates shown per [MASK] [5]',
  '  --next <text>        also print P(this sentence follows --text) from the NSP head (mlm+nsp runs)',
  '  --checkpoint <step>  which checkpoints/step-N to load; 0 = the latest [0]',
  '  --json               one JSON object instead of text',
  '  --driver <d>         Vulkan driver: auto | native | lavapipe | swiftshader | /path/to/icd.json [auto]',
  '  --help               this text',
  '',
].join('\n');

function fail(message: string, code = 2): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let o: typeof DEFAULTS;
  try {
    // --top-k as the issue and Hugging Face's pipeline spell it; the parser knows camelCase keys.
    const argv = process.argv.slice(2).map((a) => (a === '--top-k' ? '--topK' : a.startsWith('--top-k=') ? `--topK=${a.slice(8)}` : a));
    const parsed = parseArgs(argv, DEFAULTS, ['help', 'json']);
    if (parsed.positional.length) throw new Error(`unexpected argument '${parsed.positional[0]}' (options start with --; see --help)`);
    o = parsed.values;
  } catch (err) {
    fail((err as Error).message);
  }
  if (o.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  if (!o.run) fail('no run folder: pass --run runs/<name> (see --help)');
  if (!o.text) fail(`no text: pass --text "… ${MASK} …" (see --help)`);
  if (!o.text.includes(MASK) && !o.next) fail(`the text has no ${MASK} to fill; add one, or pass --next to score a sentence pair`);
  if (!(o.topK >= 1)) fail('--top-k must be at least 1');
  const runDir = resolve(o.run);
  let config;
  try {
    config = readRunConfig(runDir);
  } catch (err) {
    fail((err as Error).message, 1);
  }
  const model = config.pretrain_studio.model;
  if (model.kind !== 'encoder') fail(`${runDir} holds a ${model.kind} model; fill-mask needs a BERT (objective mlm or mlm+nsp)`, 1);
  if (o.next && !model.pooler) fail(`${runDir} was trained without next-sentence prediction (no NSP head); --next needs an mlm+nsp run`, 1);
  const step = o.checkpoint > 0 ? o.checkpoint : latestCheckpoint(runDir);
  if (step === undefined) fail(`${runDir} has no checkpoint yet`, 1);
  if (!listCheckpoints(runDir).includes(step)) fail(`${runDir} has no checkpoint step-${step} (it has: ${listCheckpoints(runDir).join(', ') || 'none'})`, 1);

  await runWithDriver(o.driver);
  const ctx = await openGpu((line) => process.stderr.write(line + '\n'));
  const tokenizer = await loadTokenizer(join(runDir, TOKENIZER_FILE));
  const modelPath = join(runDir, 'checkpoints', `step-${step}`, 'model.safetensors');
  let enc: EncoderForward | null = null;
  try {
    enc = new EncoderForward(ctx, model, deserializeModel(buildParamLayout(model), readFileSync(modelPath), modelPath).params);
    const filled = o.text.includes(MASK) ? await fillMask(enc, tokenizer, o.text, o.topK) : null;
    const isNext = o.next ? await nextSentenceProbability(enc, tokenizer, o.text, o.next) : null;
    if (o.json) {
      process.stdout.write(JSON.stringify({ run: runDir, step, text: o.text, ...(filled ? { filled: filled.filled, masks: filled.masks } : {}), ...(isNext !== null ? { next: o.next, isNextProbability: isNext } : {}) }) + '\n');
    } else {
      process.stdout.write(`step-${step}: ${o.text}\n`);
      filled?.masks.forEach((m, i) => {
        process.stdout.write(`[MASK] ${i + 1} (token ${m.position}):\n`);
        for (const c of m.candidates) process.stdout.write(`  ${(c.probability * 100).toFixed(2).padStart(6)}%  ${c.text}\n`);
      });
      if (filled) process.stdout.write(`filled: ${filled.filled}\n`);
      if (isNext !== null) process.stdout.write(`P(next sentence follows) = ${isNext.toFixed(4)}: ${o.next}\n`);
    }
  } catch (err) {
    fail((err as Error).message, 1);
  } finally {
    enc?.destroy();
  }
  process.exit(0);
}

void main();
