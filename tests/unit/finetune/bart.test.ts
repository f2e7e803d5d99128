// A classifier on a BART run (BartForSequenceClassification's head on the first decoder position,
// the decoder reading its start token and cross-attending over the row): LoRA on every self- and
// cross-attention projection trains while the base stays bit-identical without AdamW state, the
// checkpoint holds PEFT's files, the merged run scores as the adapted one, and top:1 freezes the
// encoder and the lower decoder layer only.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { resolveTrainOptions } from '../../../src/engine/config/train-config';
import { mergeLoraRun } from '../../../src/engine/finetune/merge';
import { evaluateRun, FINETUNE_DEFAULTS, fineTune, loadLabeledData, type FineTuneOptions } from '../../../src/engine/finetune/run';
import { parseScope } from '../../../src/engine/finetune/scope';
import { GpuContext } from '../../../src/engine/gpu/device';
import { readSafetensors } from '../../../src/engine/io/safetensors';
import { LORA_DEFAULTS } from '../../../src/engine/model/lora';
import { latestCheckpoint } from '../../../src/engine/runstore/checkpoints';
import { TrainingRun } from '../../../src/engine/train/index';
import { removeTempRunsDirs, SAMPLE_EN, tempRunsDir } from '../../integration/helpers';

let ctx: GpuContext;
let runsDir: string;
let bartRun: string;
let labeled: string;

beforeAll(async () => {
  ctx = await GpuContext.open();
  runsDir = tempRunsDir('finetune-bart');
  const options = resolveTrainOptions(undefined, {
    objective: 'bart', corpus: [SAMPLE_EN], runsDir, name: 'bart', split: 'tail', tokenizer: 'char', nLayer: 2, nHead: 2, nEmbd: 16, blockSize: 32,
    batchSize: 4, steps: 2, warmupSteps: 0, evalEvery: 2, evalIters: 1, logEvery: 1, checkpointEvery: 2, sampleTokens: 0, dropout: 0,
  });
  bartRun = (await new TrainingRun(ctx, { kind: 'new', options }).start()).runDir;
  labeled = join(runsDir, 'labeled.csv');
  writeFileSync(labeled, ['label,text', ...Array.from({ length: 40 }, (_, i) => (i % 2 ? `pos,"a good day ${i % 5}"` : `neg,"a bad day ${i % 5}"`))].join('\n') + '\n');
}, 120_000);
afterAll(() => {
  ctx?.destroy();
  removeTempRunsDirs();
});

function options(over: Partial<FineTuneOptions>): FineTuneOptions {
  return { ...FINETUNE_DEFAULTS, from: bartRun, data: labeled, runsDir, valFraction: 0.2, testFraction: 0.2, steps: 6, batchSize: 8, maxLength: 20, evalEvery: 3, warmupSteps: 0, lr: 1e-2, ...over };
}

const tensorsAt = (runDir: string, file: string) => readSafetensors(join(runDir, 'checkpoints', `step-${latestCheckpoint(runDir)}`, file)).tensors;
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.prototype.every.call(a, (x: number, i: number) => Object.is(x, b[i]));

test('LoRA on a BART classifier: adapters on self- and cross-attention train, the base stays bit-identical, PEFT files are written, the merge scores the same', async () => {
  const data = loadLabeledData(options({}));
  const scope = parseScope('lora', { ...LORA_DEFAULTS, rank: 4, alpha: 8, dropout: 0.1 });
  const r = await fineTune(ctx, options({ scope, name: 'bart-lora' }), data);
  expect(r.initialised.filter((n) => n.startsWith('classification_head.')).length).toBeGreaterThan(0);
  const base = readSafetensors(join(bartRun, 'checkpoints', `step-${latestCheckpoint(bartRun)}`, 'model.safetensors')).tensors;
  const model = tensorsAt(r.runDir, 'model.safetensors');
  const optimizer = tensorsAt(r.runDir, 'optimizer.safetensors');
  let frozen = 0;
  for (const [name, t] of model) {
    if (name.startsWith('model.') && !name.includes('.lora_')) {
      expect(same(t.data, base.get(name)!.data), name).toBe(true);
      expect(optimizer.get(`${name}.exp_avg_sq`)!.data.every((x) => x === 0), name).toBe(true);
      frozen++;
    }
  }
  expect(frozen).toBeGreaterThan(20);
  // The cross-attention's adapters moved (B starts at zero: a trained B is non-zero).
  expect(model.get('model.decoder.layers.1.encoder_attn.k_proj.lora_B.weight')!.data.some((x) => x !== 0)).toBe(true);
  expect(model.get('model.encoder.layers.0.self_attn.q_proj.lora_B.weight')!.data.some((x) => x !== 0)).toBe(true);
  const config = JSON.parse(readFileSync(join(r.runDir, 'config.json'), 'utf8'));
  expect(config.architectures).toEqual(['BartForSequenceClassification']);
  const peft = JSON.parse(readFileSync(join(r.runDir, 'checkpoints', `step-${r.bestStep}`, 'adapter_config.json'), 'utf8'));
  expect(peft).toMatchObject({ r: 4, lora_dropout: 0.1, modules_to_save: ['classification_head'] });
  expect(peft.target_modules).toContain('model.decoder.layers.0.encoder_attn.v_proj');

  const merged = mergeLoraRun(r.runDir);
  const [a, b] = [await evaluateRun(ctx, r.runDir, labeled), await evaluateRun(ctx, merged.runDir, labeled)];
  expect(b.confusion).toEqual(a.confusion);
  expect(Math.abs(b.loss - a.loss)).toBeLessThan(1e-5);
}, 120_000);

test('top:1 on BART trains the head and the top decoder layer; the encoder stays bit-identical', async () => {
  const data = loadLabeledData(options({}));
  const r = await fineTune(ctx, options({ scope: { kind: 'top', layers: 1 }, name: 'bart-top1' }), data);
  const base = readSafetensors(join(bartRun, 'checkpoints', `step-${latestCheckpoint(bartRun)}`, 'model.safetensors')).tensors;
  const model = tensorsAt(r.runDir, 'model.safetensors');
  const moved = (name: string) => !same(model.get(name)!.data, base.get(name)!.data);
  expect(moved('model.encoder.layers.1.fc1.weight')).toBe(false);
  expect(moved('model.decoder.layers.0.encoder_attn.q_proj.weight')).toBe(false);
  expect(moved('model.decoder.layers.1.fc1.weight')).toBe(true);
  expect(r.test!.confusion.flat().reduce((s, x) => s + x, 0)).toBe(r.test!.count);
}, 120_000);

test("pooling 'eos' (BartForSequenceClassification's): config.json says so, and evaluate reads it back to the run's own test scores", async () => {
  const data = loadLabeledData(options({}));
  const r = await fineTune(ctx, options({ scope: { kind: 'all' }, pooling: 'eos', name: 'bart-eos' }), data);
  const config = JSON.parse(readFileSync(join(r.runDir, 'config.json'), 'utf8'));
  expect(config).toMatchObject({ architectures: ['BartForSequenceClassification'], classifier_pooling: 'eos', eos_token_id: expect.any(Number) });
  // Scored again from the saved run: only a layout that pools at the last eos reproduces the loss.
  const testFile = join(runsDir, 'bart-eos-test.csv');
  writeFileSync(testFile, ['label,text', ...data.splits.test.map((row) => `${row.label},"${row.text}"`)].join('\n') + '\n');
  const again = await evaluateRun(ctx, r.runDir, testFile);
  expect(again.count).toBe(r.test!.count);
  expect(again.confusion).toEqual(r.test!.confusion);
  expect(Math.abs(again.loss - r.test!.loss)).toBeLessThan(1e-5);
  const cls = await fineTune(ctx, options({ scope: { kind: 'all' }, name: 'bart-first' }), data);
  expect(JSON.parse(readFileSync(join(cls.runDir, 'config.json'), 'utf8')).classifier_pooling).toBe('cls');
  expect(Math.abs(cls.test!.loss - r.test!.loss)).toBeGreaterThan(1e-4);
}, 120_000);
