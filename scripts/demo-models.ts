// `nice -n 10 npm run demo-models [-- --only demo-gpt-en,demo-t5-zh] [--driver lavapipe] [--publish-only]`
// Trains the built-in demo models (scripts/demo-models/config.ts) on the shared datasets with the
// ordinary CLI commands, then copies what the app reads into assets/demo-models/<name>/: config,
// tokenizer, metrics, probes, attention snapshots and the final checkpoint's weights (no optimizer
// state and no token shards: demo runs are read-only). It records the configuration and the final
// figures in assets/demo-models/manifest.json. Training happens in .cache/demo-models/ (ignored).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_MODELS, datasetsDir, type DemoModel, type DemoOptions } from './demo-models/config.ts';
import { demoCorpora, type DemoCorpora } from './demo-models/corpora.ts';
import { latestCheckpoint } from '../src/engine/runstore/checkpoints.ts';
import { DEMO_DIR, MANIFEST_FILE, type DemoManifest, type DemoManifestEntry } from '../src/engine/runstore/demo-runs.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// --build: another training folder, for a second copy of this script running side by side.
const BUILD = resolve(arg('build') ?? join(ROOT, '.cache', 'demo-models'));
// --out and --steps are for trying the script itself (a few steps into another folder).
const OUT = resolve(arg('out') ?? join(ROOT, DEMO_DIR));
const STEPS = arg('steps');
// --publish-only: publish the run folders already in the training folder (a run stopped early
// keeps its planned schedule; the manifest says at which step it stopped).
const PUBLISH_ONLY = process.argv.includes('--publish-only');
const CLI = ['--import', 'tsx', '--import', './scripts/register-wgsl.mjs'];

function flags(options: DemoOptions): string[] {
  const few = STEPS ? { steps: Number(STEPS), evalEvery: Number(STEPS), ...('checkpointEvery' in options ? { checkpointEvery: Number(STEPS) } : {}) } : {};
  const o = { ...options, ...few };
  return Object.entries(o).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `--${k}=${x}`));
}

/** Runs a CLI command of the project, echoing its output; resolves with what it printed. */
function runCli(script: string, args: string[]): Promise<string> {
  process.stdout.write(`$ node ${script} ${args.join(' ')}\n`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...CLI, script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); process.stdout.write(d); });
    child.on('exit', (code) => (code === 0 ? resolvePromise(out) : reject(new Error(`${script} exited with ${code}`))));
  });
}

/** Copies what the app reads of a run (never data/ nor optimizer state) into assets/demo-models/<name>. */
function publish(runDir: string, name: string): { bytes: number; checkpoint: string } {
  const dest = join(OUT, name);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  for (const entry of readdirSync(runDir)) {
    if (entry === 'data' || entry === 'checkpoints' || entry.endsWith('.tmp')) continue;
    cpSync(join(runDir, entry), join(dest, entry), { recursive: true });
  }
  const step = latestCheckpoint(runDir);
  if (step === undefined) throw new Error(`${runDir} has no checkpoint`);
  const checkpoint = `step-${step}`;
  mkdirSync(join(dest, 'checkpoints', checkpoint), { recursive: true });
  for (const f of readdirSync(join(runDir, 'checkpoints', checkpoint))) {
    if (f !== 'optimizer.safetensors') cpSync(join(runDir, 'checkpoints', checkpoint, f), join(dest, 'checkpoints', checkpoint, f));
  }
  return { bytes: folderBytes(dest), checkpoint };
}

function folderBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    n += statSync(p).isDirectory() ? folderBytes(p) : statSync(p).size;
  }
  return n;
}

interface MetricRow { step?: number; loss?: number; valLoss?: number; elapsedMs?: number; [k: string]: unknown }

function metrics(runDir: string): MetricRow[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as MetricRow);
}

async function trainOne(m: DemoModel, corpora: DemoCorpora, driver: string): Promise<DemoManifestEntry> {
  const started = Date.now();
  const runDir = join(BUILD, m.name);
  if (!PUBLISH_ONLY) rmSync(runDir, { recursive: true, force: true });
  let figures: Record<string, unknown>;
  if (m.kind === 'train') {
    const corpus = corpora[m.corpus];
    if (!PUBLISH_ONLY) await runCli('src/cli/train.ts', [`--corpus=${corpus}`, `--runsDir=${BUILD}`, `--name=${m.name}`, `--driver=${driver}`, ...flags(m.options)]);
    const rows = metrics(runDir);
    const last = (key: string) => [...rows].reverse().find((r) => typeof r[key] === 'number');
    const lastVal = last('valLoss');
    figures = {
      steps: last('step')?.step, plannedSteps: m.options.steps, finalValLoss: lastVal?.valLoss, finalTrainLoss: last('loss')?.loss,
      ...Object.fromEntries(Object.entries(lastVal ?? {}).filter(([k, v]) => k !== 'step' && typeof v === 'number' && /^val/.test(k))),
    };
  } else {
    if (PUBLISH_ONLY) throw new Error(`${m.name}: --publish-only takes pretraining runs only (a fine-tune's figures come from its command's answer)`);
    const out = await runCli('src/cli/finetune.ts', [`--run=${join(BUILD, m.from)}`, `--data=${join(datasetsDir(ROOT), m.data)}`, `--runsDir=${BUILD}`, `--name=${m.name}`, `--driver=${driver}`, '--json', ...flags(m.options)]);
    const json = JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{')).pop()!) as { majority: { accuracy: number; macroF1: number }; runs: { steps: number; bestStep: number; test?: { accuracy: number; macroF1: number; loss: number; count: number } }[] };
    const r = json.runs[0];
    figures = { steps: r.steps, bestStep: r.bestStep, testAccuracy: r.test?.accuracy, testMacroF1: r.test?.macroF1, testLoss: r.test?.loss, testRows: r.test?.count, majorityAccuracy: json.majority.accuracy };
  }
  const { bytes, checkpoint } = publish(runDir, m.name);
  const corpus = m.kind === 'train' ? (m.corpus === 'english' ? 'tinyshakespeare.txt' : 'hongloumeng.txt + cmn-eng.tsv (Chinese side), see scripts/demo-models/corpora.ts') : m.data;
  // A run published as it is (--publish-only, e.g. stopped early with Ctrl-C): its own training time.
  const ran = PUBLISH_ONLY ? Number(metrics(runDir).at(-1)?.elapsedMs ?? 0) / 1000 : (Date.now() - started) / 1000;
  return { ...m, corpus, checkpoint, bytes, trainSeconds: Math.round(ran), figures } as DemoManifestEntry;
}

async function main(): Promise<void> {
  const only = arg('only')?.split(',');
  const driver = arg('driver') ?? 'auto';
  const chosen = DEMO_MODELS.filter((m) => !only || only.includes(m.name));
  for (const m of chosen) if (m.kind === 'finetune' && !chosen.some((c) => c.name === m.from) && !existsSync(join(BUILD, m.from))) {
    throw new Error(`${m.name} is fine-tuned from ${m.from}: build that too (--only ${m.from},${m.name})`);
  }
  const corpora = demoCorpora(ROOT);
  mkdirSync(OUT, { recursive: true });
  for (const m of chosen) {
    const entry = await trainOne(m, corpora, driver);
    writeFileSync(join(BUILD, `${m.name}.entry.json`), JSON.stringify(entry));
    writeManifest(driver);
    process.stdout.write(`published ${m.name}: ${(entry.bytes / 1e6).toFixed(2)} MB, ${entry.trainSeconds} s, ${JSON.stringify(entry.figures)}\n`);
  }
}

/**
 * manifest.json: the entries already there, replaced by those of the models built here (each
 * kept in .cache/demo-models/<name>.entry.json, so that runs of this script side by side, one
 * model each, all end up in it).
 */
function writeManifest(driver: string): void {
  const path = join(OUT, MANIFEST_FILE);
  const byName = new Map<string, DemoManifestEntry>();
  if (existsSync(path)) for (const e of (JSON.parse(readFileSync(path, 'utf8')) as DemoManifest).models) byName.set(e.name, e);
  for (const f of readdirSync(BUILD).filter((f) => f.endsWith('.entry.json'))) {
    const e = JSON.parse(readFileSync(join(BUILD, f), 'utf8')) as DemoManifestEntry;
    if (existsSync(join(OUT, e.name))) byName.set(e.name, e);
  }
  const order = (name: string) => DEMO_MODELS.findIndex((d) => d.name === name);
  // Only the configured models that are published: a renamed or dropped one leaves no stale entry.
  const listed = [...byName.values()].filter((e) => order(e.name) >= 0 && existsSync(join(OUT, e.name)));
  const manifest: DemoManifest = {
    machine: `${process.platform} ${process.arch}, trained with --driver ${driver}`,
    models: listed.sort((a, b) => order(a.name) - order(b.name)),
  };
  writeFileSync(path, JSON.stringify(manifest, null, 2) + '\n');
}

main().catch((err: Error) => {
  process.stderr.write(`error: ${err.message}\n`);
  process.exit(1);
});
