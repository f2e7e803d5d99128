// Command-line arguments of `npm run train`: a preset, then the options given; or a resume.
import { resolve } from 'node:path';
import { type Flat, parseArgs } from '../engine/config/args.ts';
import { PRESETS } from '../engine/config/presets.ts';
import { DEFAULT_TRAIN_OPTIONS, validateTrainOptions, type TrainOptions } from '../engine/config/train-config.ts';
import type { RunRequest } from '../engine/trainer/index.ts';

const COMMAND_DEFAULTS = { preset: '', resume: '', driver: 'auto', help: false, strict: false, importOnly: false };
const DEFAULTS = { ...DEFAULT_TRAIN_OPTIONS, ...COMMAND_DEFAULTS } as unknown as Flat;

/** The run to start: a preset, then the options given on the command line; or a resume. */
export function requestFromArgs(argv: readonly string[]): { request: RunRequest | null; driver: string; strict: boolean; importOnly: boolean } {
  const { values, given, positional } = parseArgs(argv, DEFAULTS, ['help', 'strict', 'importOnly']);
  if (values.help) return { request: null, driver: '', strict: false, importOnly: false };
  const flags = { strict: Boolean(values.strict), importOnly: Boolean(values.importOnly) };
  if (positional.length) throw new Error(`unexpected argument '${positional[0]}' (options start with --; see --help)`);
  const driver = String(values.driver);
  if (values.resume) {
    const extra = [...given].filter((k) => !['resume', 'steps', 'driver'].includes(String(k)));
    if (extra.length) throw new Error(`with --resume only --steps and --driver may be given (the run keeps its options); got --${extra.join(', --')}`);
    return { request: { kind: 'resume', runDir: resolve(String(values.resume)), ...(given.has('steps') ? { steps: Number(values.steps) } : {}) }, driver, ...flags };
  }
  const presetName = String(values.preset);
  const preset = presetName ? PRESETS[presetName] : undefined;
  if (presetName && !preset) throw new Error(`unknown --preset '${presetName}'; presets: ${Object.keys(PRESETS).join(', ')}`);
  const options = { ...DEFAULT_TRAIN_OPTIONS, ...preset?.options } as TrainOptions;
  for (const key of given) if (key in DEFAULT_TRAIN_OPTIONS) (options as unknown as Flat)[key as string] = values[key as string];
  if (options.objective === 'denoise') throw new Error("--objective denoise is not available yet: 'clm' (GPT) and 'mlm' (BERT) train end to end so far");
  if (options.corpus.length === 0) throw new Error('no corpus: pass --corpus <files or folders> (see --help)');
  return { request: { kind: 'new', options: validateTrainOptions(options) }, driver, ...flags };
}
