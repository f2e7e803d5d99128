// Adding an objective is a local change: this file registers a toy one ("predict the token two
// ahead", on the GPT decoder) and trains it one step through the same code paths the CLI and
// the engine host use (resolveTrainOptions / requestFromArgs by name, then a TrainingRun), with
// nothing outside this file knowing it exists.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { requestFromArgs } from '../../../src/cli/train-args.ts';
import { resolveTrainOptions } from '../../../src/engine/config/train-config.ts';
import { copyRange } from '../../../src/engine/data/index.ts';
import { GpuContext } from '../../../src/engine/gpu/device.ts';
import { objectiveInfos } from '../../../src/engine/host/model/objectives.ts';
import { decoderConfig } from '../../../src/engine/model/config.ts';
import { findObjective, metricNames, registerObjective, unregisterObjective, type Collator, type TrainableObjective } from '../../../src/engine/objectives/index.ts';
import { readMetrics } from '../../../src/engine/runstore/metrics-log.ts';
import { TrainingRun } from '../../../src/engine/train/index.ts';
import { removeTempRunsDirs, SAMPLE_EN, tempRunsDir } from '../../integration/helpers.ts';

let batches = 0;

/** x = window[0..T), targets = window[2..T+2): each position predicts the token after the next. */
const twoAhead: Collator = {
  batch: (ds, split, batchSize, T, rng) => {
    batches++;
    const idx = new Uint32Array(batchSize * T);
    const targets = new Uint32Array(batchSize * T);
    const window = new Uint32Array(T + 2);
    for (let b = 0; b < batchSize; b++) {
      copyRange(ds, split, rng.int(split.tokens - (T + 2) + 1), T + 2, window, 0);
      idx.set(window.subarray(0, T), b * T);
      targets.set(window.subarray(2), b * T);
    }
    return { idx, targets };
  },
  preview: () => [],
};

const skip2: TrainableObjective = {
  id: 'skip2',
  status: 'available',
  title: 'Two ahead',
  family: 'toy',
  summary: 'Predicts the token after the next one.',
  modelKind: 'decoder',
  heads: [{ kind: 'lm' }],
  specials: 'gpt',
  model: (shape) => decoderConfig(shape),
  batchShape: (o) => ({ batchSize: o.batchSize, seqLen: o.blockSize }),
  collator: () => twoAhead,
  lossTerms: ['skip2'],
  charts: { loss: [{ label: 'two-ahead loss', split: 'train', name: 'loss' }], perplexity: [], accuracy: [{ label: 'two-ahead accuracy', split: 'train', name: 'accuracy' }] },
  samples: null,
  sampler: () => null,
  hfConfig: (model) => ({ model_type: 'skip2-toy', n_embd: model.nEmbd }),
};

let ctx: GpuContext | undefined;
beforeAll(() => {
  registerObjective(skip2);
});
afterAll(() => {
  unregisterObjective('skip2');
  ctx?.destroy();
  removeTempRunsDirs();
});

test('the registry takes a new entry once, lists it, and resolves it by name', () => {
  expect(() => registerObjective(skip2)).toThrow(/'skip2' is already registered/);
  expect(findObjective('skip2')).toBe(skip2);
  const info = objectiveInfos().find((o) => o.id === 'skip2');
  expect(info).toMatchObject({ available: true, modelKind: 'decoder', metrics: ['loss', 'accuracy'], title: 'Two ahead' });
  const cli = requestFromArgs(['--corpus', SAMPLE_EN, '--objective', 'skip2', '--steps', '1']);
  expect(cli.request).toMatchObject({ kind: 'new', options: { objective: 'skip2', steps: 1 } });
});

test('a registered toy objective trains one step through the trainer', async () => {
  ctx = await GpuContext.open();
  const options = resolveTrainOptions(undefined, {
    objective: 'skip2', corpus: [SAMPLE_EN], runsDir: tempRunsDir('skip2'), name: 'skip2', split: 'tail', tokenizer: 'char',
    nLayer: 1, nHead: 2, nEmbd: 32, blockSize: 16, batchSize: 4, steps: 1, warmupSteps: 0, evalEvery: 1, evalIters: 1, logEvery: 1, checkpointEvery: 1, sampleTokens: 0,
  });
  const summary = await new TrainingRun(ctx, { kind: 'new', options }).start();
  expect(summary.state).toBe('finished');
  expect(summary.losses).toHaveLength(1);
  const loss = summary.losses[0].loss;
  console.log(`skip2: step-1 loss ${loss.toFixed(4)}, ${batches} batches drawn by its collator`);
  expect(Number.isFinite(loss)).toBe(true);
  expect(loss).toBeGreaterThan(1); // an untrained char model: about ln(vocab)
  // Its collator drew every batch: one training batch and a validation batch at steps 0 and 1.
  expect(batches).toBe(3);

  const train = readMetrics(join(summary.runDir, 'metrics.jsonl')).filter((r) => r.split === 'train');
  expect(train).toHaveLength(1);
  for (const name of metricNames(skip2)) expect(Number.isFinite(train[0][name]), name).toBe(true);
  const config = JSON.parse(readFileSync(join(summary.runDir, 'config.json'), 'utf8'));
  expect(config).toMatchObject({ model_type: 'skip2-toy', n_embd: 32, pretrain_studio: { objective: 'skip2', model: { kind: 'decoder' } } });
});
