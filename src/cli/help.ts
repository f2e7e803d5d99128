// --help text. Every training option has a line here: the table is typed by TrainOptions' keys,
// so adding an option without documenting it does not compile.
import { DEFAULT_TRAIN_OPTIONS, type TrainOptions } from '../engine/config/train-config.ts';
import { PRESETS } from '../engine/config/presets.ts';

type Docs<T> = { [K in keyof T]: string };

export const TRAIN_OPTION_DOCS: Docs<TrainOptions> = {
  objective: "what to learn: 'clm' next-token prediction (GPT), 'mlm' masked LM + next sentence (BERT); 'denoise' (T5/BART) is not available yet",
  corpus: 'files or folders to import (.txt .md .jsonl .csv .tsv), space-separated',
  textField: 'JSONL field or CSV/TSV column holding the text (CSV/TSV: a usual name is found when left at "text")',
  documents: "what a document is in .txt/.md files: 'paragraph' (blank-line separated) or 'file'",
  dedup: 'drop exact duplicate documents (true/false)',
  tokenizer: "'char' (one token per character), 'bpe' (GPT-2 byte-level BPE) or 'wordpiece' (BERT)",
  vocabSize: 'vocabulary size for trained bpe/wordpiece tokenizers (char takes what the corpus has)',
  valFraction: 'fraction of the data held out for validation',
  split: "'document' holds out whole documents (seeded); 'tail' holds out the end of the text (nanoGPT)",
  nLayer: 'Transformer blocks',
  nHead: 'attention heads (nEmbd must divide by it)',
  nEmbd: 'width of the residual stream',
  blockSize: 'context length in tokens',
  ffWidth: 'hidden width of the MLP (0 = 4 * nEmbd)',
  dropout: 'dropout probability (the GPT graph supports 0 only for now)',
  bias: 'biases in linear layers and layernorms',
  steps: 'optimizer steps in total',
  batchSize: 'sequences per micro-batch',
  gradAccum: 'micro-batches whose gradients add up to one optimizer step',
  lr: 'peak learning rate',
  minLr: 'learning rate at the end of the decay',
  warmupSteps: 'steps of linear warm-up',
  schedule: "'cosine', 'linear' or 'constant' after warm-up",
  beta1: 'AdamW beta1',
  beta2: 'AdamW beta2',
  weightDecay: 'AdamW weight decay (matrices and embeddings; not norms or biases)',
  gradClip: 'clip the global gradient norm to this (0 = off)',
  evalEvery: 'validation loss every this many steps (and at the start and the end)',
  evalIters: 'batches averaged for one validation loss',
  logEvery: 'train metrics every this many steps',
  checkpointEvery: 'checkpoint every this many steps (and at the end, and on Ctrl-C)',
  keepCheckpoints: 'how many of the newest checkpoints to keep',
  sampleTokens: 'tokens of sample text printed at each evaluation (0 = none)',
  samplePrompt: "text the samples start from ('' = a newline or <|endoftext|>)",
  seed: 'seed for initialization, data order and samples',
  runsDir: 'where run folders are created',
  name: "run folder name ('' = objective and date)",
};

function show(v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.join(' ') : '(none)';
  if (v === '') return "''";
  return String(v);
}

export function trainHelp(): string {
  const keys = Object.keys(TRAIN_OPTION_DOCS) as (keyof TrainOptions)[];
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
    ...keys.map((k) => `  --${k.padEnd(width)}${TRAIN_OPTION_DOCS[k]} [${show(DEFAULT_TRAIN_OPTIONS[k])}]`),
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
    '',
    'Streams text from a trained GPT (KV cache) to stdout.',
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
    '  --checkpoint <step>      which checkpoints/step-N to load; 0 = the latest [0]',
    '  --echoPrompt <bool>      print the prompt before the generated text [true]',
    '  --driver <d>             Vulkan driver: auto | native | lavapipe | swiftshader | /path/to/icd.json [auto]',
    '  --help                   this text',
    '',
  ].join('\n');
}
