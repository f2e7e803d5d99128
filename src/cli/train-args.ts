// Command-line arguments of `npm run train`: a preset, then the options given; or a resume.
// Values are parsed to the type of their schema default (src/protocol/train-options.ts), then the
// options go through the same resolveTrainOptions as run.start.
import { resolve } from 'node:path';
import { type Flat, parseArgs } from '../engine/config/args.ts';
import { DEFAULT_TRAIN_OPTIONS, resolveTrainOptions } from '../engine/config/train-config.ts';
import type { RunRequest } from '../engine/train/index.ts';
import { TrainOptionsError } from '../protocol/train-options.ts';

export const COMMAND_DEFAULTS = { preset: '', resume: '', driver: 'auto', help: false, strict: false, importOnly: false };
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
  const overrides = Object.fromEntries([...given].filter((k) => k in DEFAULT_TRAIN_OPTIONS).map((k) => [k, values[k as string]]));
  const presetName = String(values.preset);
  let options;
  try {
    options = resolveTrainOptions(presetName || undefined, overrides, 'options');
  } catch (error) {
    // The shared messages name options bare ('lr must be …'); on the command line they are --options.
    throw new Error(cliWords(error as Error));
  }
  if (options.corpus.length === 0) throw new Error('no corpus: pass --corpus <files or folders> (see --help)');
  return { request: { kind: 'new', options }, driver, ...flags };
}

function cliWords(error: Error): string {
  if (error instanceof TrainOptionsError) return `invalid options: ${error.problems.map((p) => `--${p.option} ${p.message}`).join('; ')}`;
  return error.message.replace(/^unknown preset/, 'unknown --preset').replace(/^objective '/, "--objective '");
}
