// Resuming a fine-tune: N steps straight vs a stop midway + resume give the same train losses
// (<= 1e-6), bit-identical final weights and AdamW state, and the same early-stopping outcome, for
// scope 'all' (stopped at a scheduled evaluation) and 'lora' (stopped between two); the model and
// the adapters have dropout, so the RNG must continue too. A crash between evaluations continues
// from the resume state saved every checkpointEvery steps. Layer-wise lr decay is resumed with the run
// (and moves the lower layers less). A resume refuses labeled rows that changed.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { resolveTrainOptions } from '../../../src/engine/config/train-config';
import { FINETUNE_DEFAULTS, fineTune, loadLabeledData, type FineTuneOptions, type FineTuneResult } from '../../../src/engine/finetune/run';
import { RESUME_FOLDER, resumeRequest } from '../../../src/engine/finetune/resume';
import type { Scope } from '../../../src/engine/finetune/scope';
import { GpuContext } from '../../../src/engine/gpu/device';
import { readSafetensors } from '../../../src/engine/io/safetensors';
import { LORA_DEFAULTS } from '../../../src/engine/model/lora';
import { readMetrics } from '../../../src/engine/runstore/metrics-log';
import { TrainingRun } from '../../../src/engine/train/index';
import { removeTempRunsDirs, SAMPLE_EN, tempRunsDir } from '../../integration/helpers';

let ctx: GpuContext;
let runsDir: string;
let bertRun: string;
let labeled: string;

const GOOD = ['a good day', 'so good and fine', 'good food here', 'it was good', 'very good work', 'good, good'];
const BAD = ['a bad day', 'so bad and poor', 'bad food here', 'it was bad', 'very bad work', 'bad, bad'];

beforeAll(async () => {
  ctx = await GpuContext.open();
  runsDir = tempRunsDir('finetune-resume');
  const options = resolveTrainOptions(undefined, {
    objective: 'mlm', corpus: [SAMPLE_EN], runsDir, name: 'bert', split: 'tail', tokenizer: 'char', nLayer: 2, nHead: 2, nEmbd: 16, blockSize: 32,
    batchSize: 4, steps: 2, warmupSteps: 0, evalEvery: 2, evalIters: 1, logEvery: 1, checkpointEvery: 2, sampleTokens: 0, dropout: 0.1,
  });
  bertRun = (await new TrainingRun(ctx, { kind: 'new', options }).start()).runDir;
  labeled = join(runsDir, 'labeled.csv');
  writeFileSync(labeled, ['label,text', ...Array.from({ length: 40 }, (_, i) => (i % 2 ? `pos,"${GOOD[i % 6]}"` : `neg,"${BAD[i % 6]}"`))].join('\n') + '\n');
}, 120_000);
afterAll(() => {
  ctx?.destroy();
  removeTempRunsDirs();
});

function options(over: Partial<FineTuneOptions>): FineTuneOptions {
  return {
    ...FINETUNE_DEFAULTS, from: bertRun, data: labeled, runsDir, valFraction: 0.2, testFraction: 0.2, steps: 8, batchSize: 8, maxLength: 20,
    evalEvery: 2, patience: 3, warmupSteps: 2, lr: 1e-2, ...over,
  };
}

const trainLosses = (r: FineTuneResult) => readMetrics(join(r.runDir, 'metrics.jsonl')).filter((m) => m.split === 'train').map((m) => [m.step, m.loss as number]);
const tensors = (r: FineTuneResult, file: string) => readSafetensors(join(r.runDir, 'checkpoints', RESUME_FOLDER, file)).tensors;

async function straightVsResumed(name: string, scope: Scope, stopAt: number, over: Partial<FineTuneOptions> = {}): Promise<FineTuneResult> {
  const data = loadLabeledData(options({}));
  const straight = await fineTune(ctx, options({ ...over, scope, name: `${name}-straight` }), data);
  const stopped = await fineTune(ctx, options({ ...over, scope, name: `${name}-split` }), data, undefined, { between: async (s) => s === stopAt });
  expect(stopped.steps).toBe(stopAt);
  expect(resumeRequest(stopped.runDir).options.scope).toEqual(scope);
  const { options: again } = resumeRequest(stopped.runDir);
  const resumed = await fineTune(ctx, again, loadLabeledData(again), undefined, undefined, true);
  expect(resumed.resumedAt).toBe(stopAt);
  expect(resumed.steps).toBe(straight.steps);

  const [a, b] = [trainLosses(straight), trainLosses(resumed)];
  expect(b.map(([s]) => s)).toEqual(a.map(([s]) => s));
  const worst = Math.max(...a.map(([, l], i) => Math.abs(l - b[i][1])));
  console.log(`${name}: ${a.length} train losses, stopped at ${stopAt}, max |straight - resumed| ${worst.toExponential(2)}`);
  expect(worst).toBeLessThanOrEqual(1e-6);
  // The losses move (a test of equal curves must be able to fail on a frozen model).
  expect(new Set(a.map(([, l]) => l)).size).toBeGreaterThan(4);

  for (const file of ['model.safetensors', 'optimizer.safetensors']) {
    const [x, y] = [tensors(straight, file), tensors(resumed, file)];
    expect([...y.keys()].sort()).toEqual([...x.keys()].sort());
    for (const [k, t] of x) expect(Buffer.from(y.get(k)!.data.buffer).equals(Buffer.from(t.data.buffer)), `${file} ${k}`).toBe(true);
  }
  // Early stopping and the kept weights: the same best step and scores, the same test result.
  const pick = (r: FineTuneResult) => ({ bestStep: r.bestStep, val: r.val, test: r.test, earlyStopped: r.earlyStopped, steps: r.steps });
  expect(pick(resumed)).toEqual(pick(straight));
  if (scope.kind === 'lora') {
    const config = JSON.parse(readFileSync(join(resumed.runDir, 'checkpoints', `step-${resumed.bestStep}`, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({ r: 4, lora_dropout: scope.lora.dropout });
  }
  return straight;
}

test('scope all: 8 steps straight equal 4 + resume + 4 (stopped at a scheduled evaluation)', async () => {
  await straightVsResumed('all', { kind: 'all' }, 4);
}, 120_000);

test('layer-wise lr decay 0.5: resumed with the run, and the embeddings (0.5^3 of the lr) move less than without it', async () => {
  const decayed = await straightVsResumed('llrd', { kind: 'all' }, 3, { layerDecay: 0.5 });
  expect(resumeRequest(decayed.runDir).options.layerDecay).toBe(0.5);
  expect(JSON.parse(readFileSync(join(decayed.runDir, 'config.json'), 'utf8')).pretrain_studio.finetune.options.layerDecay).toBe(0.5);
  const plain = await fineTune(ctx, options({ name: 'llrd-off' }), loadLabeledData(options({})));
  const base = readSafetensors(join(bertRun, 'checkpoints', 'step-2', 'model.safetensors')).tensors;
  const moved = (r: FineTuneResult, name: string) => {
    const [now, was] = [tensors(r, 'model.safetensors').get(name)!.data, base.get(name)!.data];
    let sum = 0;
    for (let i = 0; i < now.length; i++) sum += (Number(now[i]) - Number(was[i])) ** 2;
    return Math.sqrt(sum);
  };
  for (const name of ['bert.embeddings.word_embeddings.weight', 'bert.encoder.layer.0.attention.self.query.weight']) {
    console.log(`${name} moved ${moved(decayed, name).toExponential(2)} with decay 0.5, ${moved(plain, name).toExponential(2)} without`);
    expect(moved(decayed, name)).toBeLessThan(0.6 * moved(plain, name));
    expect(moved(decayed, name)).toBeGreaterThan(0);
  }
}, 120_000);

test('scope lora (lora_dropout 0.1): 8 steps straight equal 3 + resume + 5 (stopped between evaluations)', async () => {
  await straightVsResumed('lora', { kind: 'lora', lora: { ...LORA_DEFAULTS, rank: 4, dropout: 0.1 } }, 3);
}, 120_000);

test('a crash between evaluations resumes from the last saved resume state (checkpointEvery), as if it had not stopped', async () => {
  const data = loadLabeledData(options({}));
  const over = { scope: { kind: 'all' } as Scope, evalEvery: 4, checkpointEvery: 3 };
  const straight = await fineTune(ctx, options({ ...over, name: 'crash-straight' }), data);
  // A crash at step 5: after the evaluation at 4 and nothing since; at step 7: after the resume state of step 6.
  for (const crashAt of [5, 7]) {
    const name = `crash-${crashAt}`;
    await expect(fineTune(ctx, options({ ...over, name }), data, undefined, { between: async (s) => { if (s === crashAt) throw new Error('device lost'); return false; } })).rejects.toThrow('device lost');
    const { options: again } = resumeRequest(join(runsDir, name));
    expect(again.checkpointEvery).toBe(3);
    const resumed = await fineTune(ctx, again, loadLabeledData(again), undefined, undefined, true);
    expect(resumed.resumedAt).toBe(crashAt === 5 ? 4 : 6);
    expect(trainLosses(resumed)).toEqual(trainLosses(straight));
    for (const file of ['model.safetensors', 'optimizer.safetensors']) {
      const [x, y] = [tensors(straight, file), tensors(resumed, file)];
      for (const [k, t] of x) expect(Buffer.from(y.get(k)!.data.buffer).equals(Buffer.from(t.data.buffer)), `${file} ${k}`).toBe(true);
    }
    expect({ bestStep: resumed.bestStep, test: resumed.test }).toEqual({ bestStep: straight.bestStep, test: straight.test });
  }
}, 180_000);

test('a resume refuses labeled rows that changed, and a finished run without more steps', async () => {
  const data = loadLabeledData(options({}));
  const stopped = await fineTune(ctx, options({ name: 'changed', steps: 4 }), data, undefined, { between: async (s) => s === 2 });
  const { options: again } = resumeRequest(stopped.runDir);
  const text = readFileSync(labeled, 'utf8');
  const changed = join(runsDir, 'changed.csv');
  writeFileSync(changed, text.replace('so good and fine', 'so fine and good'));
  await expect(fineTune(ctx, { ...again, data: changed }, loadLabeledData({ ...again, data: changed }), undefined, undefined, true)).rejects.toThrow(/labeled rows changed/);
  const done = await fineTune(ctx, again, loadLabeledData(again), undefined, undefined, true);
  expect(done.steps).toBe(4);
  await expect(fineTune(ctx, again, loadLabeledData(again), undefined, undefined, true)).rejects.toThrow(/at step 4 of 4: give more steps/);
}, 120_000);
