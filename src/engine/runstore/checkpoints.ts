// checkpoints/step-N/{model.safetensors, optimizer.safetensors, state.json}.
// A checkpoint is written into a hidden temp folder and renamed into place in one step, so a
// folder named step-N is always complete; state.json is written last inside it as a second guard.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDirectory, writeFileAtomic, writeJsonAtomic } from './atomic';

export interface CheckpointState {
  step: number;
  /** Optimizer steps taken; equals step unless a schedule counts otherwise. */
  optimizerStep: number;
  /** Everything the data sampler needs to continue with the same order (seed, position …). */
  data: Record<string, number | string>;
  bestValLoss?: number;
  /** A fine-tune's early stopping: the best validation score so far, its step and scores, evaluations since. */
  earlyStopping?: EarlyStoppingState;
  savedAt: string;
}

export interface EarlyStoppingState {
  bestStep: number;
  /** The validation metric early stopping watches (a fine-tune's macro-F1). */
  bestScore: number;
  /** Every validation score of the best step (what the run reports as its validation result). */
  bestScores: Record<string, unknown>;
  /** Scheduled evaluations since the best one. */
  sinceBest: number;
  /** Whether patience ran out (the run ended there and does not resume). */
  stopped: boolean;
}

export interface CheckpointFiles {
  model: Uint8Array;
  optimizer?: Uint8Array;
  state: CheckpointState;
}

const STEP_DIR = /^step-(\d+)$/;

export function checkpointsDir(runDir: string): string {
  return join(runDir, 'checkpoints');
}

export function listCheckpoints(runDir: string): number[] {
  const dir = checkpointsDir(runDir);
  if (!existsSync(dir)) return [];
  const steps: number[] = [];
  for (const name of readdirSync(dir)) {
    const m = STEP_DIR.exec(name);
    if (m && existsSync(join(dir, name, 'state.json'))) steps.push(Number(m[1]));
  }
  return steps.sort((a, b) => a - b);
}

export function latestCheckpoint(runDir: string): number | undefined {
  const steps = listCheckpoints(runDir);
  return steps.length ? steps[steps.length - 1] : undefined;
}

/**
 * Writes checkpoints/step-N (N = files.state.step), or checkpoints/<folder> when named: a folder
 * listCheckpoints does not see and pruning never removes (a fine-tune's resume state).
 */
export function writeCheckpoint(runDir: string, files: CheckpointFiles, keepLast: number, folder = `step-${files.state.step}`): string {
  const dir = checkpointsDir(runDir);
  mkdirSync(dir, { recursive: true });
  const final = join(dir, folder);
  const tmp = join(dir, `.tmp-${folder}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  writeFileAtomic(join(tmp, 'model.safetensors'), files.model);
  if (files.optimizer) writeFileAtomic(join(tmp, 'optimizer.safetensors'), files.optimizer);
  writeJsonAtomic(join(tmp, 'state.json'), files.state);
  // Re-saving the same step (stop right after a periodic save) replaces the old folder.
  if (existsSync(final)) rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  fsyncDirectory(dir);
  pruneCheckpoints(runDir, keepLast);
  return final;
}

export function readCheckpoint(runDir: string, step: number | string): CheckpointFiles {
  const dir = join(checkpointsDir(runDir), typeof step === 'number' ? `step-${step}` : step);
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as CheckpointState;
  const model = readFileSync(join(dir, 'model.safetensors'));
  const optPath = join(dir, 'optimizer.safetensors');
  return { model, optimizer: existsSync(optPath) ? readFileSync(optPath) : undefined, state };
}

/** Keeps the newest `keepLast` checkpoints and removes leftovers of interrupted writes. */
export function pruneCheckpoints(runDir: string, keepLast: number): void {
  const dir = checkpointsDir(runDir);
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.tmp-')) rmSync(join(dir, name), { recursive: true, force: true });
  }
  const steps = listCheckpoints(runDir);
  for (const step of steps.slice(0, Math.max(0, steps.length - Math.max(1, keepLast)))) {
    rmSync(join(dir, `step-${step}`), { recursive: true, force: true });
  }
}
