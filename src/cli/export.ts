// `npm run export -- --run runs/<name> --format torch --out <dir> [--step N] [--force]`: writes a
// self-contained folder that PyTorch distributed training continues (src/engine/export/). No GPU.
import { parseArgs } from '../engine/config/args.ts';
import { exportTorch } from '../engine/export/torch-export.ts';

const DEFAULTS = { run: '', format: 'torch', out: '', step: 0, force: false, help: false };

const HELP = `npm run export -- --run runs/<name> --format torch --out <dir> [--step N] [--force]

  --run     the run folder to export
  --format  torch: Hugging Face model + AdamW state + token shards + train.py for torchrun (DDP/FSDP)
  --out     the folder to write (refused if it exists, unless --force)
  --step    the checkpoint to export (default: the latest)

Then: cd <dir> && torchrun --nproc_per_node 2 train.py; bring it back with npm run import-run -- <dir>
`;

function fail(message: string, code = 2): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let o: typeof DEFAULTS;
  try {
    const parsed = parseArgs(process.argv.slice(2), DEFAULTS, ['help', 'force']);
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
  if (!o.out) fail('no output folder: pass --out <dir> (see --help)');
  if (o.format !== 'torch') fail(`--format '${o.format}' is not supported; formats: torch`);
  try {
    const r = await exportTorch(o.run, o.out, { ...(o.step > 0 ? { step: o.step } : {}), force: o.force });
    process.stdout.write(
      `exported step ${r.step} (${r.parameters} parameters, ${r.tokens} tokens) to ${r.outDir}\n` +
        `train:  cd ${r.outDir} && torchrun --standalone --nproc_per_node 2 train.py\n` +
        `back:   npm run import-run -- ${r.outDir}\n`,
    );
  } catch (err) {
    fail((err as Error).message, 1);
  }
}

void main();
