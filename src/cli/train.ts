// `npm run train -- --corpus <paths…> --objective clm --preset <name> [--key=value …]`
// `npm run train -- --resume runs/<name> [--steps N]`
// Trains in this process on the GPU (or the CPU fallback), printing progress; Ctrl-C saves a
// checkpoint and exits (130). See --help (src/cli/help.ts) for every option.
import { existsSync } from 'node:fs';
import { readRunConfig, TrainingRun } from '../engine/train/index.ts';
import { openGpu, runWithDriver } from './driver.ts';
import { trainHelp } from './help.ts';
import { importStep } from './import-summary.ts';
import { stopOnInterrupt } from './interrupt.ts';
import { formatDuration, ProgressPrinter } from './progress.ts';
import { requestFromArgs } from './train-args.ts';

/** What to run next with the model: generate (GPT, encoder-decoder) or fill-mask (BERT). */
function generateHint(runDir: string): string {
  const kind = readRunConfig(runDir).pretrain_studio.model.kind;
  if (kind === 'encoder') return `fill-mask: npm run fill-mask -- --run ${runDir} --text "… [MASK] …"\n`;
  return `generate: npm run generate -- --run ${runDir} ${kind === 'encoder-decoder' ? '--source' : '--prompt'} "…"\n`;
}

function fail(message: string, code = 2): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof requestFromArgs>;
  try {
    parsed = requestFromArgs(process.argv.slice(2));
  } catch (err) {
    fail((err as Error).message);
  }
  if (!parsed.request) {
    process.stdout.write(trainHelp());
    process.exit(0);
  }
  const { request } = parsed;
  if (parsed.importOnly) {
    if (request.kind !== 'new') fail('--importOnly needs --corpus (a resumed run imports nothing new)');
    await importStep(request.options, parsed.strict);
    process.exit(0);
  }
  await runWithDriver(parsed.driver);
  const importNote = request.kind === 'new' ? await importStep(request.options, parsed.strict) : '';
  const ctx = await openGpu((line) => process.stdout.write(line + '\n'));
  // The run finds the import in the cache and sends its summary again: printed above already.
  const printer = new ProgressPrinter(process.stdout, Boolean(process.stdout.isTTY), request.kind === 'new');
  const run = new TrainingRun(ctx, parsed.request, { onEvent: (e) => printer.handle(e) });

  const interrupted = stopOnInterrupt(() => run.stop(), 'saving a checkpoint');

  try {
    const summary = await run.start();
    const last = summary.evals[summary.evals.length - 1];
    if (!existsSync(summary.runDir)) {
      // Stopped while preparing its data: the state line said its folder was removed; no resume hint.
      process.exit(interrupted() ? 130 : 0);
    }
    process.stdout.write(
      `${summary.state} at step ${summary.step}/${summary.totalSteps} in ${formatDuration(summary.elapsedMs)}` +
        `${last ? `, val loss ${last.valLoss.toFixed(4)}` : ''}, ${Math.round(summary.tokensPerSecond)} tokens/s\n` +
        `run folder: ${summary.runDir}\n` +
        (summary.state === 'stopped' ? `resume: npm run train -- --resume ${summary.runDir}\n` : '') +
        generateHint(summary.runDir),
    );
    process.exit(interrupted() ? 130 : 0);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n${importNote ? `${importNote}\n` : ''}`);
    process.exit(1);
  }
}

void main();
