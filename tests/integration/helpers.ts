// Shared pieces of the training-run tests: a tiny GPT on the built-in sample corpus, a temp
// runs folder, and how to start the CLI as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TRAIN_OPTIONS, type TrainOptions } from '../../src/engine/config/train-config';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SAMPLE_EN = join(ROOT, 'assets/sample-corpus/sample-en.txt');

const created: string[] = [];

export function tempRunsDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ps-${label}-`));
  created.push(dir);
  return dir;
}

/** Removes the folders tempRunsDir made (call from afterAll). */
export function removeTempRunsDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** ~10k parameters: a step takes a few milliseconds on lavapipe. */
export function tinyOptions(runsDir: string, overrides: Partial<TrainOptions> = {}): TrainOptions {
  return {
    ...DEFAULT_TRAIN_OPTIONS,
    corpus: [SAMPLE_EN], runsDir, split: 'tail', tokenizer: 'char',
    nLayer: 1, nHead: 2, nEmbd: 32, blockSize: 32, batchSize: 8,
    steps: 30, lr: 3e-3, minLr: 3e-4, warmupSteps: 5, evalEvery: 15, evalIters: 4, logEvery: 1,
    checkpointEvery: 10, keepCheckpoints: 3, sampleTokens: 0, seed: 7,
    ...overrides,
  };
}

/** Starts a CLI command (src/cli/<name>.ts) as Node would from `npm run`, collecting its output. */
export function startCli(name: 'train' | 'generate' | 'finetune', args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './scripts/register-wgsl.mjs', `src/cli/${name}.ts`, ...args], {
    cwd: ROOT, env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return { child, output: () => out, exited };
}

/** Resolves once `pattern` appears in the output (or rejects when the process ends first). */
export async function waitFor(output: () => string, exited: Promise<unknown>, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  let done = false;
  void exited.then(() => { done = true; });
  const start = Date.now();
  for (;;) {
    const m = output().match(pattern);
    if (m) return m;
    if (done) throw new Error(`process ended before ${pattern}:\n${output()}`);
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${pattern}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
