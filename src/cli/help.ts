// --help text, generated: every training option's line comes from the TrainOptions schema (its
// description and default), every objective's from the registry, every preset's from presets.ts.
import { PRESETS } from '../engine/config/presets.ts';
import { listObjectives } from '../engine/objectives/index.ts';
import { DEFAULT_TRAIN_OPTIONS, TRAIN_OPTION_KEYS, trainOptionDoc } from '../protocol/train-options.ts';

function show(v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.join(' ') : '(none)';
  if (v === '') return "''";
  return String(v);
}

export function trainHelp(): string {
  const keys = TRAIN_OPTION_KEYS;
  const objectives = listObjectives();
  const width = Math.max(...keys.map((k) => k.length)) + 2;
  const lines = [
    'Usage: npm run train -- --corpus <files or folders…> [--preset <name>] [--key=value …]',
    '       npm run train -- --resume <run folder> [--steps N]',
    '',
    'Trains a model on your text and writes a run folder (config.json, tokenizer.json, metrics.jsonl,',
    'checkpoints/step-N/). Ctrl-C saves a checkpoint and exits; --resume continues from the latest one',
    'with the same data order. Options take --key=value or --key value; unknown options are refused.',
    '',
    'Command options:',
    `  --preset <name>${' '.repeat(Math.max(1, width - 13))}start from a preset (below), then apply the other options`,
    `  --resume <dir>${' '.repeat(Math.max(1, width - 12))}continue the run in <dir> from its latest checkpoint (only --steps may change)`,
    `  --driver <d>${' '.repeat(Math.max(1, width - 10))}Vulkan driver: auto | native | lavapipe | swiftshader | /path/to/icd.json (default auto)`,
    `  --strict${' '.repeat(Math.max(1, width - 6))}refuse a corpus whose import had any warning (a skipped line, a split line, replaced bytes …)`,
    `  --importOnly${' '.repeat(Math.max(1, width - 10))}import the corpus, print its summary and stop (no GPU needed)`,
    `  --help${' '.repeat(Math.max(1, width - 4))}this text`,
    '',
    'Training options (default in brackets):',
    ...keys.map((k) => `  --${k.padEnd(width)}${trainOptionDoc(k)} [${show(DEFAULT_TRAIN_OPTIONS[k])}]`),
    '',
    'Objectives (--objective):',
    ...objectives.map((o) => {
      const what = `${o.title} (${o.family}, ${o.modelKind}): ${o.summary}`;
      return `  ${o.id.padEnd(width)}${o.status === 'available' ? what : `${what} Not available yet: ${o.reason}.`}`;
    }),
    '',
    'Presets:',
    ...Object.entries(PRESETS).map(([name, p]) => `  ${name.padEnd(Math.max(...Object.keys(PRESETS).map((n) => n.length)) + 2)}${p.description}`),
    '',
    'Example: npm run train -- --corpus ../shared/datasets/tinyshakespeare.txt --preset baby-shakespeare-char',
  ];
  return lines.join('\n') + '\n';
}

export function generateHelp(): string {
  return [
    'Usage: npm run generate -- --run <run folder> --prompt "text" [options]',
    '       npm run generate -- --run <encoder-decoder run> --source "text" [--beams 4 --lengthPenalty 1]',
    '',
    'Streams text from a trained GPT (KV cache) to stdout; for an encoder-decoder run (bart, t5-span,',
    'seq2seq) writes the decoder\'s reconstruction or translation of --source (greedy, or beam search).',
    '',
    '  --run <dir>              the run folder (config.json, tokenizer.json, checkpoints/)',
    "  --prompt <text>          text to continue ('' starts from a newline or <|endoftext|>)",
    '  --maxNewTokens <n>       tokens to generate at most [200]',
    '  --temperature <t>        divides the logits; 0 = greedy [0.8]',
    '  --topK <k>               keep the k most likely tokens; 0 = off [200]',
    '  --topP <p>               nucleus sampling; 1 = off [1]',
    '  --repetitionPenalty <r>  penalize tokens already in the context; 1 = off [1]',
    '  --stop <s…>              end before the first of these strings (repeatable)',
    '  --seed <n>               fixes the sampling stream; -1 = random (printed) [-1]',
    '  --candidates <k>         print to stderr each token\'s probability and the k most probable next tokens (the softmax before sampling rules); 0 = off [0]',
    '  --source <text>          encoder-decoder runs: the text to reconstruct or translate',
    '  --beams <n>              encoder-decoder runs: beam width; 1 = greedy [1]',
    '  --lengthPenalty <a>      encoder-decoder beam search: score = sum log p / length^a [1]',
    '  --kvCache <bool>         encoder-decoder runs: decode with the KV cache (false: rerun the whole graph each token, the reference) [true]',
    '  --checkpoint <step>      which checkpoints/step-N to load; 0 = the latest [0]',
    '  --echoPrompt <bool>      print the prompt before the generated text [true]',
    '  --driver <d>             Vulkan driver: auto | native | lavapipe | swiftshader | /path/to/icd.json [auto]',
    '  --help                   this text',
    '',
  ].join('\n');
}
