// `import-run <dir>`: a torch export folder, after train.py has run there, back into its run:
//   checkpoints/step-N (N past the exported step) → the run's checkpoints, checked against the
//     model's layout first, written with the run store's atomic writer (generate, attention and
//     `train --resume` read them like any other)
//   metrics.jsonl → the run's metrics up to the exported step, then the cluster's records, so the
//     curves continue as one run
//   the total steps train.py trained towards (its --steps) → the run's options, so a local resume
//     keeps the schedule the cluster used
// A run folder that is missing (another machine) is created from the export, and the token shard
// cache is restored from data/, so the resume finds the same shards.
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateTrainOptions } from '../config/train-config';
import { paramLayoutFor } from '../config/train-config';
import { keepShardsWithRun } from '../train/run-shards';
import { writeFileAtomic, writeJsonAtomic } from '../runstore/atomic';
import { listCheckpoints, readCheckpoint, writeCheckpoint, type CheckpointState } from '../runstore/checkpoints';
import { readMetrics, type MetricRecord } from '../runstore/metrics-log';
import type { RunConfigJson } from '../train/hf-config';
import { METRICS_FILE, TOKENIZER_FILE, writeRunConfig } from '../train/run-folder';
import { deserializeOptimizer } from '../train/weights-io';
import { strictLoad } from './strict-load';
import { EXPORT_FORMAT, EXPORT_VERSION, type ExportManifest } from './torch-export';

export interface TorchImportOptions {
  /** The run folder to import into (default: the run the export came from). */
  into?: string;
  /** Where a restored shard cache goes when the run is new here (default <runs>/.cache). */
  cacheDir?: string;
  /** Drop the run's own checkpoints and metrics past the exported step (trained on locally since). */
  force?: boolean;
}

export interface TorchImportResult {
  runDir: string;
  exportedStep: number;
  /** Checkpoint steps taken over from the export folder. */
  checkpoints: number[];
  metrics: number;
  totalSteps: number;
  created: boolean;
}

function readJson<T>(path: string, what: string): T {
  if (!existsSync(path)) throw new Error(`import-run: ${what} is missing (${path})`);
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function importTorchRun(exportDirIn: string, opts: TorchImportOptions = {}): TorchImportResult {
  const exportDir = resolve(exportDirIn);
  if (!existsSync(exportDir)) throw new Error(`import-run: no folder at ${exportDir}`);
  const manifest = readJson<ExportManifest>(join(exportDir, 'export.json'), `${exportDir} is not a torch export: export.json`);
  if (manifest.format !== EXPORT_FORMAT || manifest.version !== EXPORT_VERSION) {
    throw new Error(`import-run: ${exportDir}/export.json is format ${manifest.format} v${manifest.version}; this version reads ${EXPORT_FORMAT} v${EXPORT_VERSION}`);
  }
  const config = readJson<RunConfigJson>(join(exportDir, 'config.json'), 'config.json');
  const studio = config.pretrain_studio;
  if (studio.options.frozen?.length) throw new Error(`import-run: this run freezes ${studio.options.frozen.join(', ')}; train.py trains every tensor, so frozen runs are not exported`);
  const layout = paramLayoutFor({ objective: studio.objective, frozen: [] }, studio.model);
  const runDir = resolve(opts.into ?? manifest.sourceRun);

  const steps = listCheckpoints(exportDir).filter((s) => s > manifest.step);
  if (steps.length === 0) throw new Error(`import-run: ${exportDir} has no checkpoint past the exported step ${manifest.step}; run train.py there first`);
  // Every checkpoint is parsed against the layout before anything in the run changes.
  const files = steps.map((s) => {
    const ck = readCheckpoint(exportDir, s);
    const where = `${exportDir}/checkpoints/step-${s}`;
    strictLoad(layout, ck.model, `${where}/model.safetensors`);
    if (!ck.optimizer) throw new Error(`import-run: ${where} has no optimizer.safetensors`);
    const opt = deserializeOptimizer(layout, ck.optimizer, `${where}/optimizer.safetensors`);
    if (ck.state.step !== s) throw new Error(`import-run: ${where}/state.json says step ${ck.state.step}`);
    return { step: s, ck, optimizerStep: opt.step };
  });

  const created = !existsSync(join(runDir, 'config.json'));
  if (created) {
    mkdirSync(join(runDir, 'checkpoints'), { recursive: true });
    mkdirSync(join(runDir, 'data'), { recursive: true });
    copyFileSync(join(exportDir, 'tokenizer.json'), join(runDir, TOKENIZER_FILE));
    restoreShards(exportDir, runDir, opts.cacheDir ?? join(resolve(runDir, '..'), '.cache'));
  } else {
    // The cluster's own checkpoints from an earlier import of this folder are not a conflict.
    const later = listCheckpoints(runDir).filter((s) => s > manifest.step && !steps.includes(s));
    if (later.length && !opts.force) {
      throw new Error(`import-run: ${runDir} has checkpoints after the exported step ${manifest.step} (${later.map((s) => `step-${s}`).join(', ')}): it trained on locally since the export. Pass --force to replace that history with the cluster's, or --into another folder`);
    }
  }

  const newest = files[files.length - 1];
  const totalSteps = Math.max(newest.step, Number((newest.ck.state as CheckpointState & { totalSteps?: number }).totalSteps ?? studio.options.steps));
  const options = validateTrainOptions({ ...studio.options, steps: totalSteps, runsDir: created ? resolve(runDir, '..') : studio.options.runsDir, name: created ? runDir.split(/[\\/]/).pop()! : studio.options.name });
  writeRunConfig(runDir, { ...config, pretrain_studio: { ...studio, options } });

  // The run's own records up to the export, then the cluster's: one curve, each step once.
  const runMetricsPath = join(runDir, METRICS_FILE);
  const before = created ? [] : readMetrics(runMetricsPath).filter((r) => r.step <= manifest.step);
  const after = readMetrics(join(exportDir, METRICS_FILE)).filter((r) => r.step > manifest.step && r.step <= newest.step);
  const records: MetricRecord[] = [...before, ...after];
  writeFileAtomic(runMetricsPath, records.map((r) => JSON.stringify(r) + '\n').join(''));

  if (opts.force) {
    // Drop the local history past the export before the cluster's checkpoints take its place.
    for (const s of listCheckpoints(runDir).filter((x) => x > manifest.step && !steps.includes(x))) {
      dropCheckpoint(runDir, s);
    }
  }
  for (const f of files) writeCheckpoint(runDir, f.ck, Math.max(options.keepCheckpoints, files.length));
  return { runDir, exportedStep: manifest.step, checkpoints: steps, metrics: after.length, totalSteps, created };
}

function dropCheckpoint(runDir: string, step: number): void {
  // Renamed to a temp name first (one atomic step), so the folder stops counting as a checkpoint
  // at once even if the removal is interrupted; pruneCheckpoints clears such leftovers.
  const dir = join(runDir, 'checkpoints', `step-${step}`);
  const tmp = join(runDir, 'checkpoints', `.tmp-step-${step}-dropped-${process.pid}`);
  renameSync(dir, tmp);
  rmSync(tmp, { recursive: true, force: true });
}

/** Puts the exported token shards back where this machine's shard cache keeps them. */
function restoreShards(exportDir: string, runDir: string, cacheDir: string): void {
  const data = join(exportDir, 'data');
  const meta = readJson<{ key: string; shards: { file: string }[]; labels: string[] }>(join(data, 'meta.json'), 'data/meta.json');
  const dir = join(resolve(cacheDir), 'shards', `tokens-${meta.key.slice(0, 16)}`);
  if (!existsSync(join(dir, 'meta.json'))) {
    // Built beside the cache entry and renamed into place, as the shard builder publishes its own.
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    for (const s of meta.shards) copyFileSync(join(data, s.file), join(tmp, s.file));
    for (const name of ['docs.bin', 'meta.json', ...(meta.labels.length ? ['labels.bin'] : [])]) copyFileSync(join(data, name), join(tmp, name));
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }
  writeJsonAtomic(join(runDir, 'data', 'shards.json'), { dir, key: meta.key, meta });
  keepShardsWithRun(runDir, dir);
}
