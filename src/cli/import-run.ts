// `npm run import-run -- <export dir> [--into runs/<name>] [--force]`: brings a torch export's
// checkpoints and metrics back into its run (src/engine/export/torch-import.ts). No GPU.
import { parseArgs } from '../engine/config/args.ts';
import { importTorchRun } from '../engine/export/torch-import.ts';

const DEFAULTS = { into: '', cacheDir: '', force: false, help: false };

const HELP = `npm run import-run -- <export dir> [--into runs/<name>] [--force]

  <export dir>  a folder written by npm run export -- --format torch, after train.py ran there
  --into        the run folder to import into (default: the run it was exported from; created if missing)
  --cacheDir    where to restore the token shards when the run is new here (default <runs>/.cache)
  --force       replace checkpoints the run trained locally after the export

Then: npm run train -- --resume <run>
`;

function fail(message: string, code = 2): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

function main(): void {
  let o: typeof DEFAULTS;
  let positional: string[];
  try {
    const parsed = parseArgs(process.argv.slice(2), DEFAULTS, ['help', 'force']);
    o = parsed.values;
    positional = parsed.positional;
  } catch (err) {
    fail((err as Error).message);
  }
  if (o.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  if (positional.length !== 1) fail(`expected one export folder, got ${positional.length} (see --help)`);
  try {
    const r = importTorchRun(positional[0], { ...(o.into ? { into: o.into } : {}), ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}), force: o.force });
    process.stdout.write(
      `${r.created ? 'created' : 'updated'} ${r.runDir}: checkpoints ${r.checkpoints.map((s) => `step-${s}`).join(', ')} ` +
        `and ${r.metrics} metric records after the exported step ${r.exportedStep}; total steps ${r.totalSteps}\n` +
        `resume: npm run train -- --resume ${r.runDir}\n`,
    );
  } catch (err) {
    fail((err as Error).message, 1);
  }
}

main();
