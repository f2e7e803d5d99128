// Fine-tuning end to end on a tiny BERT pretrained for 2 steps (masked LM alone, so the pooler is
// new too) and a tiny GPT: frozen tensors bit-identical to the pretrained checkpoint and without
// AdamW state; head-only trains only pooler + classifier, 'all' moves the body; the classifier's
// probabilities equal the softmax of a direct forward pass through the model graph (a different
// batch size, so padding rows are shown to be ignored); test confusion sums to the test size;
// scratch starts from initParams, not the checkpoint.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { resolveTrainOptions } from '../../../src/engine/config/train-config';
import { encodeRows, classifyBatch } from '../../../src/engine/finetune/encode';
import { ClassifierEval, classifierLayout, evaluateRun, FINETUNE_DEFAULTS, fineTune, loadLabeledData, predictText, type FineTuneOptions } from '../../../src/engine/finetune/run';
import { softmaxRows } from '../../../src/engine/finetune/metrics';
import { frozenPrefixes } from '../../../src/engine/finetune/scope';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { readSafetensors } from '../../../src/engine/io/safetensors';
import { BertGraph } from '../../../src/engine/model/bert';
import type { ModelGraph } from '../../../src/engine/model/body';
import { allParts } from '../../../src/engine/model/params';
import { latestCheckpoint } from '../../../src/engine/runstore/checkpoints';
import { loadTokenizer } from '../../../src/engine/tokenizers';
import { initParams } from '../../../src/engine/train/init';
import { TrainingRun } from '../../../src/engine/train/index';
import { TrainStep } from '../../../src/engine/train/step';
import { HostContext } from '../../../src/engine/host/context';
import { dispatch } from '../../../src/engine/host/dispatch';
import { removeTempRunsDirs, SAMPLE_EN, tempRunsDir } from '../../integration/helpers';

let ctx: GpuContext;
let runsDir: string;
let bertRun: string;
let gptRun: string;
let labeled: string;
let bertClassifier = '';

const GOOD = ['a good day', 'so good and fine', 'good food here', 'it was good', 'very good work', 'good, good'];
const BAD = ['a bad day', 'so bad and poor', 'bad food here', 'it was bad', 'very bad work', 'bad, bad'];

beforeAll(async () => {
  ctx = await GpuContext.open();
  runsDir = tempRunsDir('finetune');
  const pretrain = async (objective: string, name: string) => {
    const options = resolveTrainOptions(undefined, {
      objective, corpus: [SAMPLE_EN], runsDir, name, split: 'tail', tokenizer: 'char', nLayer: 2, nHead: 2, nEmbd: 16, blockSize: 32,
      batchSize: 4, steps: 2, warmupSteps: 0, evalEvery: 2, evalIters: 1, logEvery: 1, checkpointEvery: 2, sampleTokens: 0, dropout: 0,
    });
    return (await new TrainingRun(ctx, { kind: 'new', options }).start()).runDir;
  };
  bertRun = await pretrain('mlm', 'bert');
  gptRun = await pretrain('clm', 'gpt');
  const rows = ['label,text', ...Array.from({ length: 60 }, (_, i) => (i % 2 ? `pos,"${GOOD[i % 6]}"` : `neg,"${BAD[i % 6]}"`)), 'pos,', 'neg,fine,extra'];
  labeled = join(runsDir, 'labeled.csv');
  writeFileSync(labeled, rows.join('\n') + '\n');
}, 120_000);
afterAll(() => {
  ctx?.destroy();
  removeTempRunsDirs();
});

function options(from: string, over: Partial<FineTuneOptions>): FineTuneOptions {
  return { ...FINETUNE_DEFAULTS, from, data: labeled, runsDir, valFraction: 0.2, testFraction: 0.2, steps: 3, batchSize: 8, maxLength: 20, evalEvery: 3, warmupSteps: 0, lr: 1e-2, ...over };
}

function tensorsOf(runDir: string) {
  const step = latestCheckpoint(runDir)!;
  const dir = join(runDir, 'checkpoints', `step-${step}`);
  return { model: readSafetensors(join(dir, 'model.safetensors')).tensors, optimizer: readSafetensors(join(dir, 'optimizer.safetensors')).tensors };
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.prototype.every.call(a, (x: number, i: number) => Object.is(x, b[i]));

test('the labeled file: bad rows skipped and named, classes balanced in every split', () => {
  const d = loadLabeledData(options(bertRun, {}));
  expect(d.bad.map((b) => [b.line, b.reason])).toEqual([[62, "empty or missing text ('text')"], [63, '3 fields, the header has 2']]);
  expect(d.labels.id2label).toEqual(['neg', 'pos']);
  expect(d.balance).toEqual({ train: [18, 18], val: [6, 6], test: [6, 6] });
});

test('head-only on BERT: the body stays bit-identical with zero AdamW state, the pooler and classifier train; probabilities are the softmax of a direct forward', async () => {
  const data = loadLabeledData(options(bertRun, {}));
  const r = await fineTune(ctx, options(bertRun, { scope: { kind: 'head' }, name: 'bert-head' }), data);
  bertClassifier = r.runDir;
  const bias = readConfigModel(bertRun).bias as boolean;
  expect(r.initialised).toEqual(['bert.pooler.dense.weight', ...(bias ? ['bert.pooler.dense.bias'] : []), 'classifier.weight', ...(bias ? ['classifier.bias'] : [])]);
  const base = readSafetensors(join(bertRun, 'checkpoints', `step-${latestCheckpoint(bertRun)}`, 'model.safetensors')).tensors;
  const { model, optimizer } = tensorsOf(r.runDir);
  let frozen = 0;
  for (const [name, t] of model) {
    if (name.startsWith('bert.embeddings.') || name.startsWith('bert.encoder.')) {
      expect(same(t.data, base.get(name)!.data), name).toBe(true);
      expect(optimizer.get(`${name}.exp_avg`)!.data.every((x) => x === 0), name).toBe(true);
      expect(optimizer.get(`${name}.exp_avg_sq`)!.data.every((x) => x === 0), name).toBe(true);
      frozen++;
    } else {
      expect(optimizer.get(`${name}.exp_avg_sq`)!.data.some((x) => x !== 0), name).toBe(true);
    }
  }
  expect(frozen).toBeGreaterThan(10);
  expect(model.has('classifier.weight') && model.has('bert.pooler.dense.weight')).toBe(true);
  expect([...model.keys()].some((n) => n.startsWith('cls.'))).toBe(false);
  const config = JSON.parse(readFileSync(join(r.runDir, 'config.json'), 'utf8'));
  expect(config).toMatchObject({ architectures: ['BertForSequenceClassification'], id2label: { 0: 'neg', 1: 'pos' }, label2id: { neg: 0, pos: 1 }, pretrain_studio: { objective: 'classify', finetune: { scope: 'head' } } });
  expect(r.test!.count).toBe(12);
  expect(r.test!.confusion.flat().reduce((s, x) => s + x, 0)).toBe(12);

  // The evaluator's probabilities (batch 8, the last batch padded) vs a direct BertGraph forward of 3 rows.
  const layout = classifierLayout(readConfigModel(r.runDir), 2, { kind: 'all' });
  const flat = new Float32Array(layout.totalFloats);
  for (const p of allParts(layout)) flat.set(model.get(p.name)!.data, p.offset);
  const tok = await loadTokenizer(join(r.runDir, 'tokenizer.json'));
  const enc = encodeRows(tok, 'encoder', data.splits.test, data.labels, 20);
  const step = new TrainStep(ctx, layout, { batch: { batchSize: 8, seqLen: 20 }, adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }, gradClip: 0, readouts: (g) => [(g as ModelGraph).logits] });
  step.setParams(flat);
  const fromEval = softmaxRows(await new ClassifierEval(step, (step.graph as ModelGraph).logits, layout, 8, 2).logitsOf(enc), 2);
  step.destroy();
  const params = Tensor.empty(ctx, [layout.totalFloats]);
  params.write(flat);
  const graph = new BertGraph(ctx, layout, params, params, { batchSize: 3, seqLen: 20 });
  const batch = classifyBatch(enc, 'encoder', 'first', [9, 10, 11], 3);
  for (const [name, t] of Object.entries(graph.inputs)) t.write(batch[name]);
  const rec = new Recorder(ctx);
  graph.forward(rec, false);
  await rec.run();
  const direct = softmaxRows(await graph.logits.read(), 2);
  rec.destroy();
  graph.destroy();
  params.destroy();
  let maxDiff = 0;
  for (let i = 0; i < 6; i++) maxDiff = Math.max(maxDiff, Math.abs(direct[i] - fromEval[9 * 2 + i]));
  console.log(`classifier probabilities vs a direct forward: max |diff| ${maxDiff.toExponential(2)}`);
  expect(maxDiff).toBeLessThan(1e-6);

  // npm run evaluate's path: the same test rows scored from the saved run.
  const testFile = join(runsDir, 'test.csv');
  writeFileSync(testFile, ['label,text', ...data.splits.test.map((x) => `${x.label},"${x.text}"`)].join('\n'));
  const e = await evaluateRun(ctx, r.runDir, testFile);
  expect(e.confusion).toEqual(r.test!.confusion);
  expect(e.accuracy).toBe(r.test!.accuracy);
  // The "try it" path: one text, batch 1, the same probabilities.
  const one = await predictText(ctx, r.runDir, data.splits.test[9].text);
  expect(one.probabilities.map((p) => p.label)).toEqual(['neg', 'pos']);
  expect(Math.abs(one.probabilities[1].probability - fromEval[9 * 2 + 1])).toBeLessThan(1e-6);
  expect(one.label).toBe(fromEval[9 * 2 + 1] > fromEval[9 * 2] ? 'pos' : 'neg');
}, 120_000);

test("mean pooling on BERT: config.json's classifier_pooling and the saved request keep it; evaluate and predict reload it; the [CLS] reading of the same weights scores otherwise", async () => {
  const data = loadLabeledData(options(bertRun, {}));
  const r = await fineTune(ctx, options(bertRun, { pooling: 'mean', name: 'bert-mean' }), data);
  const config = JSON.parse(readFileSync(join(r.runDir, 'config.json'), 'utf8'));
  expect(config.classifier_pooling).toBe('mean');
  expect(config.pretrain_studio.finetune).toMatchObject({ pooling: 'mean', request: { options: { pooling: 'mean' } } });
  expect(JSON.parse(readFileSync(join(bertClassifier, 'config.json'), 'utf8')).classifier_pooling).toBe('cls');
  const testFile = join(runsDir, 'test-mean.csv');
  writeFileSync(testFile, ['label,text', ...data.splits.test.map((x) => `${x.label},"${x.text}"`)].join('\n'));
  const e = await evaluateRun(ctx, r.runDir, testFile);
  expect(e.confusion).toEqual(r.test!.confusion);
  expect(Math.abs(e.loss - r.test!.loss)).toBeLessThan(1e-6);
  const one = await predictText(ctx, r.runDir, data.splits.test[0].text);
  // The same folder read as a [CLS] classifier (a run saved before pooling was a choice): other scores.
  const asCls = join(runsDir, 'bert-mean-as-cls');
  cpSync(r.runDir, asCls, { recursive: true });
  const { classifier_pooling: _p, ...rest } = config;
  writeFileSync(join(asCls, 'config.json'), JSON.stringify(rest));
  const cls = await predictText(ctx, asCls, data.splits.test[0].text);
  console.log(`mean-pooled run, P(${one.probabilities[1].label}) of one text: ${one.probabilities[1].probability} (mean) vs ${cls.probabilities[1].probability} ([CLS])`);
  expect(Math.abs(one.probabilities[1].probability - cls.probabilities[1].probability)).toBeGreaterThan(1e-6);
  // Pooling is an encoder's: a GPT refuses it by name.
  expect(() => classifierLayout(readConfigModel(gptRun), 2, { kind: 'all' }, 'mean')).toThrow(/pooling 'mean' is for encoder/);
}, 120_000);

function readConfigModel(runDir: string) {
  return JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')).pretrain_studio.model;
}

test("top:1 on GPT freezes the embeddings and layer 0 only; 'all' moves every tensor; scratch starts from initParams", async () => {
  const data = loadLabeledData(options(gptRun, {}));
  const top = await fineTune(ctx, options(gptRun, { scope: { kind: 'top', layers: 1 }, name: 'gpt-top1' }), data);
  const base = readSafetensors(join(gptRun, 'checkpoints', `step-${latestCheckpoint(gptRun)}`, 'model.safetensors')).tensors;
  const { model } = tensorsOf(top.runDir);
  expect(model.has('score.weight') && !model.has('score.bias')).toBe(true);
  for (const [name, t] of model) {
    const frozen = /^transformer\.(wte|wpe|h\.0)\./.test(name);
    if (frozen) expect(same(t.data, base.get(name)!.data), name).toBe(true);
    else if (name !== 'score.weight' && !name.endsWith('.bias')) expect(same(t.data, base.get(name)!.data), name).toBe(false);
  }
  const all = await fineTune(ctx, options(gptRun, { scope: { kind: 'all' }, name: 'gpt-all' }), data);
  const moved = tensorsOf(all.runDir).model;
  expect(same(moved.get('transformer.wte.weight')!.data, base.get('transformer.wte.weight')!.data)).toBe(false);
  expect(all.trainableParameters).toBe(all.parameters);
  expect(top.trainableParameters).toBeLessThan(all.parameters);

  const scratch = await fineTune(ctx, options(gptRun, { init: 'scratch', steps: 1, evalEvery: 1, lr: 0, name: 'gpt-scratch' }), data);
  const layout = classifierLayout(readConfigModel(gptRun), 2, { kind: 'all' });
  const init = initParams(layout, FINETUNE_DEFAULTS.seed);
  const w = layout.part('transformer.h.1.mlp.c_fc.weight');
  expect(same(tensorsOf(scratch.runDir).model.get('transformer.h.1.mlp.c_fc.weight')!.data, init.subarray(w.offset, w.offset + w.numel))).toBe(true);
  expect(scratch.initialised).toEqual([]);
  expect(frozenPrefixes(layout.config, { kind: 'head' })).toEqual(['transformer.wte.', 'transformer.wpe.', 'transformer.h.0.', 'transformer.h.1.']);
  expect(() => frozenPrefixes(layout.config, { kind: 'top', layers: 3 })).toThrow(/the model has 2 layers/);
}, 120_000);

test('classify.predict through the engine host: eval.json scores and a text\'s probabilities, validated by the protocol', async () => {
  expect(bertClassifier).not.toBe('');
  const host = new HostContext({ assetsDir: undefined }, () => undefined);
  try {
    const reply = await dispatch({ type: 'classify.predict', requestId: 'c1', params: { runDir: bertClassifier, text: GOOD[0] } }, host);
    if (!reply.ok) throw new Error(reply.error.message);
    const result = reply.result as { labels: string[]; test: { confusion: number[][]; count: number }; prediction: { label: string; probabilities: { probability: number }[] } };
    const saved = JSON.parse(readFileSync(join(bertClassifier, 'eval.json'), 'utf8'));
    expect(result.labels).toEqual(['neg', 'pos']);
    expect(result.test.confusion).toEqual(saved.test.confusion);
    expect(result.prediction.probabilities.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 6);
    const bad = await dispatch({ type: 'classify.predict', requestId: 'c2', params: { runDir: bertRun } }, host);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/not a finished fine-tuned classifier/);
  } finally {
    host.close();
  }
}, 60_000);
