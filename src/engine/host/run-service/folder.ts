// Reading run folders for the runs list: summary from config.json, checkpoints, metrics.jsonl,
// attention snapshots and samples.jsonl. Nothing here writes except the samples log.
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { AttentionSettings, RunEntry, RunSample } from '../../../protocol/commands/run-types.ts';
import { readMetrics } from '../../runstore/metrics-log';
import { listCheckpoints } from '../../runstore/checkpoints';
import { CONFIG_FILE, METRICS_FILE, readRunConfig } from '../../train/index.ts';
import { listSnapshots, readProbeSettings } from '../../inspect';
import { IMPORT_FILE } from '../../hf-import/import.ts';
import { MANIFEST_FILE, type DemoManifest } from '../../runstore/demo-runs.ts';

export const SAMPLES_FILE = 'samples.jsonl';

/** Refuses a path outside the runs directory (delete and open act only on run folders). */
export function insideRunsDir(runsDir: string, runDir: string): string {
  const abs = resolve(runDir);
  const rel = relative(resolve(runsDir), abs);
  if (!rel || rel.startsWith('..') || rel.includes(sep) || rel.startsWith('.')) {
    throw new Error(`${runDir} is not a run folder inside the runs directory ${runsDir}`);
  }
  return abs;
}

export function appendSample(runDir: string, sample: RunSample): void {
  appendFileSync(join(runDir, SAMPLES_FILE), JSON.stringify(sample) + '\n');
}

export function readSamples(runDir: string): RunSample[] {
  const path = join(runDir, SAMPLES_FILE);
  if (!existsSync(path)) return [];
  const out: RunSample[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    try {
      if (line.trim()) out.push(JSON.parse(line) as RunSample);
    } catch {
      // a torn last line after a crash
    }
  }
  return out;
}

/** The run's probe sentences and their cadence (written by the training run itself: see train/attention-probes.ts). */
export function readAttentionSettings(runDir: string): AttentionSettings | null {
  return readProbeSettings(runDir);
}

/** Summary of one run folder as the list shows it; `status` from its files (the service overrides it for the active run). */
export function describeRun(runDir: string): RunEntry {
  const checkpoints = listCheckpoints(runDir);
  const metrics = readMetrics(join(runDir, METRICS_FILE));
  let bestValLoss: number | null = null;
  let lastStep = 0;
  for (const r of metrics) {
    lastStep = Math.max(lastStep, r.step);
    const val = r.valLoss;
    if (typeof val === 'number' && Number.isFinite(val) && (bestValLoss === null || val < bestValLoss)) bestValLoss = val;
  }
  const base = {
    name: basename(runDir),
    runDir,
    checkpoints,
    attentionSteps: listSnapshots(runDir),
    bestValLoss,
    createdAt: statSync(runDir).birthtime.toISOString(),
  };
  if (!existsSync(join(runDir, CONFIG_FILE))) {
    return { ...base, status: 'incomplete', objective: '?', parameters: 0, model: null, step: lastStep, totalSteps: 0 };
  }
  const studio = readRunConfig(runDir).pretrain_studio;
  const step = checkpoints.length ? checkpoints[checkpoints.length - 1] : 0;
  // A fine-tuned classifier plans its own steps, keeps its best checkpoint (not its last) and
  // writes eval.json when it ends: that file says it finished (or was stopped and scored).
  const finetune = (studio as { finetune?: { options: { steps: number } } }).finetune;
  const totalSteps = finetune ? finetune.options.steps : studio.options.steps;
  // No active process: finished if its last checkpoint is the end, else it was stopped or interrupted.
  const stoppedCleanly = step > 0 && lastStep <= step;
  // An imported checkpoint (run.import) has weights but no data of its own to train on: it is
  // prompted, probed or fine-tuned, not resumed.
  if (existsSync(join(runDir, IMPORT_FILE)) && step === 0 && metrics.length === 0) {
    return { ...base, status: 'imported', objective: studio.objective, parameters: studio.parameters, model: { ...studio.model }, step: 0, totalSteps: 0, createdAt: studio.createdAt };
  }
  const status: RunEntry['status'] = finetune
    ? fineTuneStatus(runDir, totalSteps)
    : step >= totalSteps ? 'finished' : checkpoints.length === 0 ? 'incomplete' : stoppedCleanly ? 'stopped' : 'interrupted';
  return {
    ...base,
    status,
    objective: studio.objective,
    parameters: studio.parameters,
    model: { ...studio.model },
    step: Math.max(step, lastStep),
    totalSteps,
    createdAt: studio.createdAt,
  };
}

function fineTuneStatus(runDir: string, totalSteps: number): RunEntry['status'] {
  const path = join(runDir, 'eval.json');
  if (!existsSync(path)) return listCheckpoints(runDir).length ? 'interrupted' : 'incomplete';
  const r = JSON.parse(readFileSync(path, 'utf8')) as { steps: number; earlyStopped?: boolean };
  return r.steps >= totalSteps || r.earlyStopped ? 'finished' : 'stopped';
}

/** Every run folder (a folder with config.json or checkpoints/) in the runs directory, newest first. */
/** The demo runs of assets/demo-models in the order of its manifest (then by name). */
export function demoRunDirs(demoDir: string): string[] {
  if (!existsSync(demoDir)) return [];
  let order: string[] = [];
  try {
    order = (JSON.parse(readFileSync(join(demoDir, MANIFEST_FILE), 'utf8')) as DemoManifest).models.map((m) => m.name);
  } catch {
    // no manifest: by name
  }
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return readdirSync(demoDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(demoDir, d.name, CONFIG_FILE)))
    .map((d) => d.name)
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((name) => join(demoDir, name));
}

export function listRunDirs(runsDir: string): string[] {
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => join(runsDir, d.name))
    .filter((dir) => existsSync(join(dir, CONFIG_FILE)) || existsSync(join(dir, 'checkpoints')))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
}
