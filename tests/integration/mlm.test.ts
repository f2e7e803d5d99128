// A short BERT run (masked LM + next-sentence prediction) on the sample corpus with a WordPiece
// tokenizer: both losses are recorded, the summed loss decreases, and the folder holds a BERT
// config.json and BertForPreTraining tensor names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { GpuContext } from '../../src/engine/gpu/device';
import { readSafetensors } from '../../src/engine/io/safetensors';
import { readMetrics } from '../../src/engine/runstore/metrics-log';
import { TrainingRun } from '../../src/engine/train/index.ts';
import { removeTempRunsDirs, tempRunsDir, tinyOptions } from './helpers';

let ctx: GpuContext | undefined;
afterAll(() => {
  ctx?.destroy();
  removeTempRunsDirs();
});

test('MLM + NSP trains end to end and writes a BERT run folder', async () => {
  ctx = await GpuContext.open();
  const options = tinyOptions(tempRunsDir('mlm'), {
    name: 'bert', objective: 'mlm+nsp', tokenizer: 'wordpiece', vocabSize: 300, split: 'document', blockSize: 32, batchSize: 8,
    steps: 40, evalEvery: 40, checkpointEvery: 40, lr: 3e-3,
  });
  const summary = await new TrainingRun(ctx, { kind: 'new', options }).start();
  expect(summary.state).toBe('finished');
  const losses = summary.losses.map((l) => l.loss);
  const first = losses.slice(0, 3).reduce((a, b) => a + b) / 3;
  const last = losses.slice(-5).reduce((a, b) => a + b) / 5;
  console.log(`mlm+nsp loss ${first.toFixed(3)} -> ${last.toFixed(3)}; val ${summary.evals.map((e) => e.valLoss.toFixed(3)).join(' -> ')}`);
  expect(first).toBeGreaterThan(Math.log(300)); // MLM ~ ln V plus NSP ~ ln 2 at the start
  expect(last).toBeLessThan(first - 0.4);
  expect(summary.evals[1].valLoss).toBeLessThan(summary.evals[0].valLoss - 0.4);

  const train = readMetrics(join(summary.runDir, 'metrics.jsonl')).filter((r) => r.split === 'train');
  for (const r of train) {
    expect(Math.abs((r.mlmLoss as number) + (r.nspLoss as number) - (r.loss as number))).toBeLessThan(1e-4);
    expect(r.nspAccuracy).toBeGreaterThanOrEqual(0);
  }
  const config = JSON.parse(readFileSync(join(summary.runDir, 'config.json'), 'utf8'));
  expect(config).toMatchObject({ model_type: 'bert', architectures: ['BertForPreTraining'], hidden_size: 32, num_hidden_layers: 1, type_vocab_size: 2, vocab_size: 300 });
  const names = [...readSafetensors(join(summary.runDir, 'checkpoints', 'step-40', 'model.safetensors')).tensors.keys()];
  expect(names).toContain('bert.embeddings.word_embeddings.weight');
  expect(names).toContain('bert.encoder.layer.0.attention.self.query.weight');
  expect(names).toContain('cls.seq_relationship.weight');
});
