// Resume equivalence: a run stopped at its step-10 checkpoint and resumed gives the same loss at
// every step as a run that was never interrupted (same data order, same optimizer state), and
// the resumed run's metrics.jsonl has each step once. Pause / resume between steps changes nothing.
import { copyFileSync, cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../src/engine/gpu/device';
import { readMetrics } from '../../src/engine/runstore/metrics-log';
import { listCheckpoints } from '../../src/engine/runstore/checkpoints';
import { TrainingRun, type RunSummary } from '../../src/engine/train/index.ts';
import { removeTempRunsDirs, SAMPLE_EN, tempRunsDir, tinyOptions } from './helpers';

const STEPS = 24;
let ctx: GpuContext;
let straight: RunSummary;

beforeAll(async () => {
  ctx = await GpuContext.open();
  const options = tinyOptions(tempRunsDir('straight'), { name: 'straight', steps: STEPS, evalEvery: 8, checkpointEvery: 10 });
  straight = await new TrainingRun(ctx, { kind: 'new', options }).start();
});

afterAll(() => {
  ctx?.destroy();
  removeTempRunsDirs();
});

function maxDiff(a: { step: number; loss: number }[], b: { step: number; loss: number }[]): number {
  expect(a.map((x) => x.step)).toEqual(b.map((x) => x.step));
  return Math.max(...a.map((x, i) => Math.abs(x.loss - b[i].loss)));
}

test('stop at a checkpoint + resume = the uninterrupted loss curve', async () => {
  const runsDir = tempRunsDir('resumed');
  const options = tinyOptions(runsDir, { name: 'resumed', steps: STEPS, evalEvery: 8, checkpointEvery: 10 });
  // Stop as soon as step 10 is saved: the loop ends before step 11 (the stop adds no checkpoint).
  const first: TrainingRun = new TrainingRun(ctx, { kind: 'new', options }, {
    onEvent: (e) => { if (e.type === 'run.checkpoint' && e.step === 10) first.stop(); },
  });
  const part1 = await first.start();
  expect(part1.state).toBe('stopped');
  expect(part1.step).toBe(10);
  const runDir = part1.runDir;
  expect(listCheckpoints(runDir)).toEqual([10]);

  const part2 = await new TrainingRun(ctx, { kind: 'resume', runDir }).start();
  expect(part2.state).toBe('finished');
  expect(part2.step).toBe(STEPS);
  const resumed = [...part1.losses, ...part2.losses];
  const diff = maxDiff(resumed, straight.losses);
  console.log(`resume: max |loss difference| over ${STEPS} steps = ${diff.toExponential(2)}`);
  expect(diff).toBeLessThan(1e-6);

  // Validation at the same steps gives the same values too.
  const valOf = (dir: string) => readMetrics(join(dir, 'metrics.jsonl')).filter((r) => r.split === 'val').map((r) => [r.step, r.valLoss as number]);
  const a = valOf(runDir), b = valOf(straight.runDir);
  expect(a.map((x) => x[0])).toEqual([0, 8, 16, 24]);
  expect(a.map((x) => x[0])).toEqual(b.map((x) => x[0]));
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i][1] - b[i][1])).toBeLessThan(1e-6);

  // metrics.jsonl: every train step exactly once, in order, after the truncation on resume.
  const train = readMetrics(join(runDir, 'metrics.jsonl')).filter((r) => r.split === 'train').map((r) => r.step);
  expect(train).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
});

test('pausing between steps and resuming does not change the curve', async () => {
  const options = tinyOptions(tempRunsDir('paused'), { name: 'paused', steps: STEPS, evalEvery: 8, checkpointEvery: 10 });
  const states: string[] = [];
  const run: TrainingRun = new TrainingRun(ctx, { kind: 'new', options }, {
    onEvent: (e) => {
      if (e.type === 'run.state') {
        states.push(e.state);
        if (e.state === 'paused') setTimeout(() => run.resume(), 100);
      }
      if (e.type === 'run.checkpoint' && e.step === 10) run.pause();
    },
  });
  const summary = await run.start();
  expect(states).toEqual(['preparing', 'running', 'paused', 'running', 'finished']);
  expect(maxDiff(summary.losses, straight.losses)).toBeLessThan(1e-6);
});

test('a stop while paused saves a checkpoint at the current step', async () => {
  const options = tinyOptions(tempRunsDir('stopped'), { name: 'stopped', steps: STEPS, checkpointEvery: 100 });
  const run: TrainingRun = new TrainingRun(ctx, { kind: 'new', options }, {
    onEvent: (e) => {
      if (e.type === 'run.metrics' && e.records.some((r) => r.step >= 5)) run.pause();
      if (e.type === 'run.state' && e.state === 'paused') run.stop();
    },
  });
  const summary = await run.start();
  expect(summary.state).toBe('stopped');
  expect(summary.step).toBeGreaterThanOrEqual(5);
  expect(summary.step).toBeLessThan(STEPS);
  expect(listCheckpoints(summary.runDir)).toEqual([summary.step]);
});

test('with gradient accumulation (2 micro-batches) resume is exact too', async () => {
  const opts = (name: string) => tinyOptions(tempRunsDir(name), { name, steps: 16, batchSize: 4, gradAccum: 2, evalEvery: 8, checkpointEvery: 10 });
  const events: number[] = [];
  const whole = await new TrainingRun(ctx, { kind: 'new', options: opts('accum') }, {
    onEvent: (e) => { if (e.type === 'run.started') events.push(e.tokensPerStep); },
  }).start();
  expect(events).toEqual([4 * 32 * 2]);
  const first: TrainingRun = new TrainingRun(ctx, { kind: 'new', options: opts('accum-resumed') }, {
    onEvent: (e) => { if (e.type === 'run.checkpoint' && e.step === 10) first.stop(); },
  });
  const part1 = await first.start();
  const part2 = await new TrainingRun(ctx, { kind: 'resume', runDir: part1.runDir }).start();
  expect(maxDiff([...part1.losses, ...part2.losses], whole.losses)).toBeLessThan(1e-6);
  expect(whole.losses.at(-1)!.loss).toBeLessThan(whole.losses[0].loss);
});

test("a BERT folder written before the registry ('mlm' with a pooler) resumes as 'mlm+nsp', continuing the same curve", async () => {
  const bert = { objective: 'mlm+nsp', tokenizer: 'wordpiece' as const, vocabSize: 300, split: 'document' as const, steps: 12, evalEvery: 12, checkpointEvery: 6 };
  const whole = await new TrainingRun(ctx, { kind: 'new', options: tinyOptions(tempRunsDir('bert-whole'), { ...bert, name: 'whole' }) }).start();
  const first: TrainingRun = new TrainingRun(ctx, { kind: 'new', options: tinyOptions(tempRunsDir('bert-old'), { ...bert, name: 'old' }) }, {
    onEvent: (e) => { if (e.type === 'run.checkpoint' && e.step === 6) first.stop(); },
  });
  const part1 = await first.start();
  expect(part1.step).toBe(6);
  // What config.json said before the registry: objective 'mlm' for BERT's masked LM + NSP.
  const path = join(part1.runDir, 'config.json');
  const old = JSON.parse(readFileSync(path, 'utf8'));
  old.pretrain_studio.objective = 'mlm';
  old.pretrain_studio.options.objective = 'mlm';
  writeFileSync(path, JSON.stringify(old));

  const part2 = await new TrainingRun(ctx, { kind: 'resume', runDir: part1.runDir }).start();
  expect(part2.state).toBe('finished');
  const diff = maxDiff([...part1.losses, ...part2.losses], whole.losses);
  console.log(`old 'mlm' folder resumed as mlm+nsp: max |loss difference| = ${diff.toExponential(2)}`);
  expect(diff).toBeLessThan(1e-6);
  expect(JSON.parse(readFileSync(path, 'utf8')).pretrain_studio).toMatchObject({ objective: 'mlm+nsp', options: { objective: 'mlm+nsp' } });
});

test('a run folder copied elsewhere resumes without its corpus or the cache, on the same curve', async () => {
  const home = tempRunsDir('portable');
  const corpus = join(home, 'corpus.txt');
  copyFileSync(SAMPLE_EN, corpus);
  const options = tinyOptions(home, { name: 'portable', corpus: [corpus], steps: STEPS, evalEvery: 8, checkpointEvery: 10 });
  const first: TrainingRun = new TrainingRun(ctx, { kind: 'new', options }, {
    onEvent: (e) => { if (e.type === 'run.checkpoint' && e.step === 10) first.stop(); },
  });
  const part1 = await first.start();
  expect(existsSync(join(part1.runDir, 'data', 'shards', 'meta.json'))).toBe(true);

  // Another machine: the folder alone, no corpus, no runs-directory cache.
  const elsewhere = join(tempRunsDir('elsewhere'), 'portable');
  cpSync(part1.runDir, elsewhere, { recursive: true });
  rmSync(home, { recursive: true, force: true });
  const part2 = await new TrainingRun(ctx, { kind: 'resume', runDir: elsewhere }).start();
  expect(part2.state).toBe('finished');
  expect(maxDiff([...part1.losses, ...part2.losses], straight.losses)).toBeLessThan(1e-6);

  // A folder without its own shards (made before runs kept them) and without its corpus says so.
  const old = join(tempRunsDir('old'), 'portable');
  cpSync(elsewhere, old, { recursive: true });
  rmSync(join(old, 'data', 'shards'), { recursive: true, force: true });
  await expect(new TrainingRun(ctx, { kind: 'resume', runDir: old, steps: STEPS + 2 }).start()).rejects.toThrow(/keeps no token shards of its own .* its corpus is not here: .*corpus\.txt/);
});
