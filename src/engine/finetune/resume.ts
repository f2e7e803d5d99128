// Resuming a fine-tune stopped midway (Stop in the app, Ctrl-C or a crash in the CLI). A fine-tune's
// checkpoints folder holds two kinds of state:
//   step-<best>/  the best weights by validation macro-F1 so far (what evaluate, predict and merge
//                 load: the latest step-N is always the kept one), written at each improvement
//   resume/       the full state at the last scheduled evaluation or stop: the current weights
//                 (adapters included), AdamW's m, v and step, and state.json with the early-stopping
//                 state (best step, its scores, evaluations since); listCheckpoints does not see it
// A step's rows, learning rate and dropout seed are pure functions of (seed, step), so a resumed run
// draws what the uninterrupted one would have drawn: the same losses and the same weights.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ParamLayout } from '../model/params';
import { checkpointsDir, readCheckpoint, writeCheckpoint, type EarlyStoppingState } from '../runstore/checkpoints';
import { readRunConfig } from '../train/run-folder';
import { deserializeModel, deserializeOptimizer, serializeModel, serializeOptimizer } from '../train/weights-io';
import { FINETUNE_DEFAULTS, type FineTuneOptions, type LabeledData } from './run';

export const RESUME_FOLDER = 'resume';

/** Where a fine-tune continues: its step, weights, AdamW state, early stopping and the best weights. */
export interface ResumePoint {
  step: number;
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
  optimizerStep: number;
  /** null before the first scheduled evaluation. */
  early: EarlyStoppingState | null;
  /** The best step's weights (from checkpoints/step-<best>), null with no evaluation yet. */
  bestParams: Float32Array | null;
  elapsedMs: number;
}

/** Writes checkpoints/resume/ (replacing the previous one in one rename). */
export function writeResumePoint(runDir: string, layout: ParamLayout, p: Omit<ResumePoint, 'bestParams'> & { seed: number }): void {
  writeCheckpoint(runDir, {
    model: serializeModel(layout, p.params),
    optimizer: serializeOptimizer(layout, p.m, p.v, p.optimizerStep),
    state: {
      step: p.step, optimizerStep: p.optimizerStep,
      data: { sampler: 'seeded permutation per epoch', seed: p.seed, elapsedMs: Math.round(p.elapsedMs) },
      ...(p.early ? { earlyStopping: p.early } : {}),
      savedAt: new Date().toISOString(),
    },
  }, 1, RESUME_FOLDER);
}

/** Reads checkpoints/resume/ and the best weights it names, refusing what cannot continue. */
export function readResumePoint(runDir: string, layout: ParamLayout): ResumePoint {
  const dir = join(checkpointsDir(runDir), RESUME_FOLDER);
  if (!existsSync(join(dir, 'state.json'))) throw new Error(`${runDir} has no resume state (checkpoints/${RESUME_FOLDER}/): it was made before fine-tunes could resume, or stopped before its first evaluation`);
  const ck = readCheckpoint(runDir, RESUME_FOLDER);
  const path = join(dir, 'model.safetensors');
  const loaded = deserializeModel(layout, ck.model, path);
  if (loaded.initialised.length) throw new Error(`${path} lacks ${loaded.initialised.join(', ')}: it does not hold this run's model`);
  if (!ck.optimizer) throw new Error(`${dir} has no optimizer.safetensors`);
  const opt = deserializeOptimizer(layout, ck.optimizer, join(dir, 'optimizer.safetensors'));
  const early = ck.state.earlyStopping ?? null;
  let bestParams: Float32Array | null = null;
  if (early) {
    const bestPath = join(checkpointsDir(runDir), `step-${early.bestStep}`, 'model.safetensors');
    if (!existsSync(bestPath)) throw new Error(`${runDir}: the best weights (checkpoints/step-${early.bestStep}) are missing`);
    bestParams = deserializeModel(layout, readCheckpoint(runDir, early.bestStep).model, bestPath).params;
  }
  return { step: ck.state.step, params: loaded.params, m: opt.m, v: opt.v, optimizerStep: opt.step, early, bestParams, elapsedMs: Number(ck.state.data.elapsedMs ?? 0) };
}

/** A digest of the rows of every split: a resume refuses labeled files that changed since the run began. */
export function labeledDataHash(data: LabeledData): string {
  const h = createHash('sha256');
  for (const split of ['train', 'val', 'test'] as const) {
    h.update(`${split}\n`);
    for (const r of data.splits[split]) h.update(JSON.stringify([r.text, r.pair ?? null, r.label]) + '\n');
  }
  return h.digest('hex');
}

/** What config.json keeps of a fine-tune's request, to resume it (absolute paths). */
export interface SavedRequest {
  options: FineTuneOptions;
  dataHash: string;
}

/** The options a fine-tuned run folder was started with; `steps` raises (or lowers) the total. */
export function resumeRequest(runDir: string, steps?: number): SavedRequest {
  const dir = resolve(runDir);
  const config = readRunConfig(dir) as unknown as { pretrain_studio: { finetune?: { request?: SavedRequest } } };
  const ft = config.pretrain_studio.finetune;
  if (!ft) throw new Error(`${dir} is not a fine-tuned classifier (no finetune block in config.json)`);
  if (!ft.request) throw new Error(`${dir} was fine-tuned before runs kept their request: it cannot be resumed`);
  if (steps !== undefined && !(Number.isInteger(steps) && steps >= 1)) throw new Error(`--steps must be a positive integer (got ${steps})`);
  // The folder may have moved: its own location names it.
  // Requests saved before pooling, timed resume points and layer-wise lr decay were choices read [CLS] and the defaults.
  const saved = ft.request.options;
  const options: FineTuneOptions = {
    ...saved, pooling: saved.pooling ?? 'cls', checkpointEvery: saved.checkpointEvery ?? FINETUNE_DEFAULTS.checkpointEvery, checkpointMinutes: saved.checkpointMinutes ?? FINETUNE_DEFAULTS.checkpointMinutes,
    layerDecay: saved.layerDecay ?? FINETUNE_DEFAULTS.layerDecay,
    runsDir: dirname(dir), name: basename(dir), ...(steps !== undefined ? { steps } : {}),
  };
  return { options, dataHash: ft.request.dataHash };
}
