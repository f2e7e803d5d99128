// The objectives the registry added beside GPT and BERT train end to end on the sample corpus:
// masked LM alone (an encoder without pooler or NSP head) and BART text infilling (the
// encoder-decoder graph). Each: the loss falls, the record carries its entry's metric names, and
// config.json has its Hugging Face keys.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { GpuContext } from '../../src/engine/gpu/device';
import { readSafetensors } from '../../src/engine/io/safetensors';
import { findObjective, metricNames, type TrainableObjective } from '../../src/engine/objectives/index.ts';
import { readMetrics } from '../../src/engine/runstore/metrics-log';
import { TrainingRun } from '../../src/engine/train/index.ts';
import type { TrainOptions } from '../../src/engine/config/train-config';
import { removeTempRunsDirs, tempRunsDir, tinyOptions } from './helpers';

let ctx: GpuContext | undefined;
afterAll(() => {
  ctx?.destroy();
  removeTempRunsDirs();
});

async function train(objective: string, overrides: Partial<TrainOptions>) {
  ctx ??= await GpuContext.open();
  const options = tinyOptions(tempRunsDir(objective.replace('+', '-')), {
    name: objective.replace('+', '-'), objective, tokenizer: 'char', split: 'tail', blockSize: 32, batchSize: 8,
    steps: 40, evalEvery: 40, checkpointEvery: 40, lr: 3e-3, ...overrides,
  });
  const summary = await new TrainingRun(ctx, { kind: 'new', options }).start();
  expect(summary.state).toBe('finished');
  const losses = summary.losses.map((l) => l.loss);
  const first = losses.slice(0, 3).reduce((a, b) => a + b) / 3;
  const last = losses.slice(-5).reduce((a, b) => a + b) / 5;
  console.log(`${objective}: loss ${first.toFixed(3)} -> ${last.toFixed(3)}; val ${summary.evals.map((e) => e.valLoss.toFixed(3)).join(' -> ')}`);
  const records = readMetrics(join(summary.runDir, 'metrics.jsonl')).filter((r) => r.split === 'train');
  const entry = findObjective(objective) as TrainableObjective;
  for (const r of records) for (const name of metricNames(entry)) expect(Number.isFinite(r[name]), name).toBe(true);
  const config = JSON.parse(readFileSync(join(summary.runDir, 'config.json'), 'utf8'));
  const names = [...readSafetensors(join(summary.runDir, 'checkpoints', 'step-40', 'model.safetensors')).tensors.keys()];
  return { summary, first, last, config, names };
}

test('masked LM alone trains an encoder with no NSP head', async () => {
  const { summary, first, last, config, names } = await train('mlm', {});
  expect(last).toBeLessThan(first - 0.4);
  expect(summary.evals[1].valLoss).toBeLessThan(summary.evals[0].valLoss - 0.4);
  expect(config).toMatchObject({ model_type: 'bert', architectures: ['BertForMaskedLM'], pretrain_studio: { objective: 'mlm', model: { kind: 'encoder', pooler: false } } });
  expect(names).toContain('bert.encoder.layer.0.attention.self.query.weight');
  expect(names).not.toContain('cls.seq_relationship.weight');
});

test('BART text infilling trains the encoder-decoder', async () => {
  const { summary, first, last, config, names } = await train('bart', {});
  expect(last).toBeLessThan(first - 0.4);
  expect(summary.evals[1].valLoss).toBeLessThan(summary.evals[0].valLoss - 0.4);
  expect(config).toMatchObject({ model_type: 'bart', architectures: ['BartForConditionalGeneration'], d_model: 32, encoder_layers: 1, decoder_layers: 1, pretrain_studio: { objective: 'bart', model: { kind: 'encoder-decoder' } } });
  expect(config.decoder_start_token_id).toBe(config.bos_token_id);
  expect(names.some((n) => n.startsWith('model.encoder.layers.0.'))).toBe(true);
  expect(names.some((n) => n.startsWith('model.decoder.layers.0.'))).toBe(true);
});

test('BART trains with dropout (the masks the bart_dropout golden replays) and config.json says so', async () => {
  ctx ??= await GpuContext.open();
  const options = tinyOptions(tempRunsDir('bart-dropout'), { objective: 'bart', tokenizer: 'char', dropout: 0.1, steps: 2, evalEvery: 2, checkpointEvery: 2 });
  const summary = await new TrainingRun(ctx, { kind: 'new', options }).start();
  expect(summary.state).toBe('finished');
  expect(summary.losses.every((l) => Number.isFinite(l.loss))).toBe(true);
  const config = JSON.parse(readFileSync(join(summary.runDir, 'config.json'), 'utf8'));
  expect(config).toMatchObject({ model_type: 'bart', dropout: 0.1, attention_dropout: 0.1, activation_dropout: 0 });
});
