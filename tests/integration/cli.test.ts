// The CLI as a person runs it, as child processes: SIGKILL mid-run then --resume completes with a
// consistent folder; Ctrl-C (SIGINT) saves a checkpoint and exits 130; generate with a fixed seed
// prints the same text twice; Ctrl-C stops a fine-tune (scored, exit 130) and --resume continues it.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { latestCheckpoint, listCheckpoints } from '../../src/engine/runstore/checkpoints';
import { readMetrics } from '../../src/engine/runstore/metrics-log';
import { removeTempRunsDirs, SAMPLE_EN, startCli, tempRunsDir, waitFor } from './helpers';

const TINY = ['--nLayer', '1', '--nHead', '2', '--nEmbd', '32', '--blockSize', '32', '--batchSize', '8', '--split', 'tail',
  '--lr', '3e-3', '--warmupSteps', '5', '--evalIters', '2', '--sampleTokens', '0', '--logEvery', '1', '--seed', '3'];

let killedRun = '';

afterAll(() => removeTempRunsDirs());

describe('npm run train', () => {
  beforeAll(() => {
    killedRun = join(tempRunsDir('cli'), 'killed');
  });

  test('SIGKILL after a checkpoint, then --resume: the run completes and the folder is consistent', async () => {
    const args = ['--corpus', SAMPLE_EN, '--runsDir', join(killedRun, '..'), '--name', 'killed', ...TINY, '--steps', '120', '--evalEvery', '60', '--checkpointEvery', '20'];
    const first = startCli('train', args);
    await waitFor(first.output, first.exited, /checkpoint .*step-20\n/);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe(-1);
    const saved = latestCheckpoint(killedRun)!;
    expect(saved).toBeGreaterThanOrEqual(20);
    // A checkpoint half-written when the kill came: a temp folder without state.json.
    const torn = join(killedRun, 'checkpoints', `.tmp-step-${saved + 20}-99999`);
    mkdirSync(torn, { recursive: true });
    writeFileSync(join(torn, 'model.safetensors'), 'partial');
    expect(listCheckpoints(killedRun)).not.toContain(saved + 20);

    const second = startCli('train', ['--resume', killedRun]);
    const code = await second.exited;
    expect(code, second.output()).toBe(0);
    expect(second.output()).toMatch(new RegExp(`resuming .* from step ${saved} to 120`));
    expect(second.output()).toMatch(/finished at step 120\/120/);
    expect(listCheckpoints(killedRun)).toEqual([80, 100, 120]);
    expect(readdirSync(join(killedRun, 'checkpoints')).filter((n) => n.startsWith('.'))).toEqual([]);
    const train = readMetrics(join(killedRun, 'metrics.jsonl')).filter((r) => r.split === 'train').map((r) => r.step);
    expect(train).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  test('Ctrl-C (SIGINT) saves a checkpoint at the current step and exits 130', async () => {
    const runsDir = tempRunsDir('sigint');
    const run = startCli('train', ['--corpus', SAMPLE_EN, '--runsDir', runsDir, '--name', 'interrupted', ...TINY, '--steps', '5000', '--evalEvery', '5000', '--checkpointEvery', '5000']);
    await waitFor(run.output, run.exited, /step 30\/5000/);
    run.child.kill('SIGINT');
    expect(await run.exited, run.output()).toBe(130);
    const dir = join(runsDir, 'interrupted');
    const step = latestCheckpoint(dir)!;
    expect(step).toBeGreaterThanOrEqual(30);
    expect(step).toBeLessThan(5000);
    expect(run.output()).toMatch(new RegExp(`stopped at step ${step}/5000`));
    const train = readMetrics(join(dir, 'metrics.jsonl')).filter((r) => r.split === 'train');
    expect(train.at(-1)!.step).toBe(step);
  });

  test('unknown options and unavailable objectives are refused', async () => {
    const bad = startCli('train', ['--corpus', SAMPLE_EN, '--stepz', '3']);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toMatch(/Unknown option --stepz/);
    const planned = startCli('train', ['--corpus', SAMPLE_EN, '--objective', 'classify']);
    expect(await planned.exited).toBe(2);
    expect(planned.output()).toMatch(/--objective 'classify' is not available yet: it learns from labeled rows on a pretrained run: npm run finetune/);
    const unknown = startCli('train', ['--corpus', SAMPLE_EN, '--objective', 'gan']);
    expect(await unknown.exited).toBe(2);
    expect(unknown.output()).toMatch(/--objective 'gan' is not a registered objective \(objectives: clm, mlm, mlm\+nsp, bart/);
  });
});

describe('npm run generate', () => {
  test('a fixed seed prints the same text twice', async () => {
    expect(existsSync(join(killedRun, 'config.json')), 'needs the run of the first test').toBe(true);
    const args = ['--run', killedRun, '--prompt', 'The cat', '--maxNewTokens', '40', '--seed', '5', '--temperature', '1'];
    // One after the other: two lavapipe processes at once would fight over the CPU.
    const a = startCli('generate', args);
    expect(await a.exited, a.output()).toBe(0);
    const b = startCli('generate', args);
    expect(await b.exited, b.output()).toBe(0);
    const text = (out: string) => out.split('\n').filter((l) => !/^(GPU:|warning:|Warning:|step-)/.test(l)).join('\n');
    expect(text(a.output())).toMatch(/^The cat/);
    expect(text(a.output()).length).toBeGreaterThan('The cat'.length + 20);
    expect(text(b.output())).toBe(text(a.output()));
    expect(a.output()).toMatch(/step-120: 40 tokens \(max_tokens\)/);
  });

  test('--candidates prints each token\'s probability and its top next tokens, most probable first; greedy takes the first', async () => {
    const c = startCli('generate', ['--run', killedRun, '--prompt', 'The cat', '--maxNewTokens', '6', '--temperature', '0', '--candidates', '3']);
    expect(await c.exited, c.output()).toBe(0);
    const lines = c.output().split('\n').filter((l) => l.startsWith('token '));
    expect(lines).toHaveLength(6);
    for (const [i, line] of lines.entries()) {
      const m = /^token (\d+): ("(?:[^"\\]|\\.)*") p=([\d.]+) {2}top: (.*)$/.exec(line);
      expect(m, line).not.toBeNull();
      expect(Number(m![1])).toBe(i);
      const top = [...m![4].matchAll(/("(?:[^"\\]|\\.)*") ([\d.]+)/g)].map((t) => ({ token: JSON.parse(t[1]) as string, p: Number(t[2]) }));
      expect(top).toHaveLength(3);
      expect(top[0].p).toBeGreaterThanOrEqual(top[1].p);
      expect(top[1].p).toBeGreaterThanOrEqual(top[2].p);
      expect(JSON.parse(m![2])).toBe(top[0].token); // temperature 0: the argmax
      expect(Number(m![3])).toBeCloseTo(top[0].p, 4);
    }
  });
});

describe('npm run finetune', () => {
  test('Ctrl-C stops and scores a fine-tune (exit 130); --resume continues it to its new last step', async () => {
    const runsDir = tempRunsDir('ft-cli');
    const pre = startCli('train', ['--corpus', SAMPLE_EN, '--runsDir', runsDir, '--name', 'bert', ...TINY, '--objective', 'mlm', '--steps', '4', '--evalEvery', '4', '--checkpointEvery', '4']);
    expect(await pre.exited, pre.output()).toBe(0);
    const csv = join(runsDir, 'labeled.csv');
    writeFileSync(csv, ['text,label', ...Array.from({ length: 40 }, (_, i) => (i % 2 ? `a good day ${i % 5},pos` : `a bad day ${i % 5},neg`))].join('\n') + '\n');
    const ft = startCli('finetune', ['--run', join(runsDir, 'bert'), '--data', csv, '--runsDir', runsDir, '--name', 'ft', '--steps', '100000', '--evalEvery', '10', '--batchSize', '8']);
    await waitFor(ft.output, ft.exited, /step 20: validation/);
    ft.child.kill('SIGINT');
    expect(await ft.exited, ft.output()).toBe(130);
    const m = /stopped at step (\d+) of 100000; resume: npm run finetune -- --resume (\S+)/.exec(ft.output());
    expect(m, ft.output()).not.toBeNull();
    const at = Number(m![1]);
    const again = startCli('finetune', ['--resume', m![2], '--steps', String(at + 5)]);
    expect(await again.exited, again.output()).toBe(0);
    expect(again.output()).toMatch(new RegExp(`resuming .* at step ${at} of ${at + 5}`));
    const train = readMetrics(join(runsDir, 'ft', 'metrics.jsonl')).filter((r) => r.split === 'train').map((r) => r.step);
    expect(train).toEqual(Array.from({ length: at + 5 }, (_, i) => i + 1));
  });
});
