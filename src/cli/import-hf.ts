// `npm run import -- --from <Hugging Face folder> --into runs/<name>`: a GPT-2 or BERT checkpoint a
// user already has on disk becomes a run folder (src/engine/hf-import). No GPU, no network.
import { basename, join, resolve } from 'node:path';
import { parseArgs } from '../engine/config/args.ts';
import { HF_ARCHITECTURES, importHfCheckpoint } from '../engine/hf-import/index.ts';

const DEFAULTS = { from: '', into: '', json: false, help: false };

const HELP = `npm run import -- --from <folder> [--into runs/<name>] [--json]

Imports a Hugging Face checkpoint folder into a run folder that generate, fill-mask, the app's
Adapt page and fine-tuning read, offline.

  --from <folder>  config.json + model.safetensors (or model.safetensors.index.json and its shards)
                   + tokenizer.json, or vocab.txt (WordPiece), or vocab.json + merges.txt (GPT-2 BPE)
  --into <dir>     the run folder to create [runs/<folder name>]
  --json           print the summary as one JSON object
  --help           this text

Architectures: ${Object.keys(HF_ARCHITECTURES).join(', ')}. Weights in F32, F16 or BF16 are
stored as f32. A pytorch_model.bin is refused: convert it to safetensors first.

Then: npm run generate -- --run <dir> --prompt "…"      (GPT-2)
      npm run fill-mask -- --run <dir> --text "… [MASK] …"  (BERT)
`;

function fail(message: string, code = 2): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let o: typeof DEFAULTS;
  try {
    const parsed = parseArgs(process.argv.slice(2), DEFAULTS, ['help', 'json']);
    if (parsed.positional.length) throw new Error(`unexpected argument '${parsed.positional[0]}' (pass the folder as --from; see --help)`);
    o = parsed.values;
  } catch (err) {
    fail((err as Error).message);
  }
  if (o.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  if (!o.from) fail('no checkpoint folder: pass --from <folder> (see --help)');
  const into = o.into || join('runs', basename(resolve(o.from)));
  let last = '';
  try {
    const s = await importHfCheckpoint({
      from: o.from, into,
      onProgress: (phase) => {
        if (phase !== last && phase !== 'done' && !o.json) process.stderr.write(`${phase}…\n`);
        last = phase;
      },
    });
    if (o.json) { process.stdout.write(JSON.stringify(s) + '\n'); return; }
    const lines = [
      `imported ${s.architecture} (${(s.parameters / 1e6).toFixed(2)}M parameters, ${Object.entries(s.dtypes).map(([d, n]) => `${n} ${d}`).join(', ')} tensors) into ${s.runDir} as objective ${s.objective} in ${s.seconds.toFixed(1)} s`,
      `tokenizer: ${s.tokenizer.kind}, ${s.tokenizer.vocabSize} tokens, from ${s.tokenizer.source}`,
    ];
    if (s.ignored.length) lines.push(`ignored ${s.ignored.length} tensors: ${[...new Set(s.ignored.map((i) => i.why))].join(', ')}`);
    if (s.initialised.length) lines.push(`NOT in the checkpoint, initialised at random (train or fine-tune before use): ${s.initialised.join(', ')}`);
    lines.push(s.objective === 'clm' ? `next: npm run generate -- --run ${s.runDir} --prompt "…"` : `next: npm run fill-mask -- --run ${s.runDir} --text "… [MASK] …"`);
    process.stdout.write(lines.join('\n') + '\n');
  } catch (err) {
    fail((err as Error).message, 1);
  }
}

void main();
