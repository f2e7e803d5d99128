// The Fine-tune tab's engine side: a labeled file's preview (columns, guessed mapping, balance per
// split, bad rows by line, classes too small for the split named with their lines), and
// finetune.start on the host's run service: a tiny MLM run fine-tuned as the active run (run.*
// events, listed as a finished 'classify' run, eval.json equal to what classify.predict answers,
// the test rows behind its confusion matrix, its checkpoint in the attention view),
// then compared with the same model from scratch, and a fine-tune stopped mid-way (scored, 'stopped')
// and resumed through run.resume.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { StudioEvent } from '../../../src/protocol/index.ts';
import { resolveTrainOptions } from '../../../src/engine/config/train-config';
import { minRowsPerClass, previewLabeledFile } from '../../../src/engine/finetune/preview';
import { SCOPE_CHOICES, scopeText } from '../../../src/engine/finetune/scope-choices';
import { parseScope } from '../../../src/engine/finetune/scope';
import { GpuContext } from '../../../src/engine/gpu/device';
import { HostContext } from '../../../src/engine/host/context';
import { dispatch } from '../../../src/engine/host/dispatch';
import { RunService } from '../../../src/engine/host/run-service/service';
import { TrainingRun } from '../../../src/engine/train/index';
import { removeTempRunsDirs, SAMPLE_EN, tempRunsDir } from '../../integration/helpers';

let runsDir: string;
let csv: string;
const POS = ['a good day', 'so good and fine', 'good food here', 'it was good', 'very good work', 'good, good'];
const NEG = ['a bad day', 'so bad and poor', 'bad food here', 'it was bad', 'very bad work', 'bad, bad'];

beforeAll(() => {
  runsDir = tempRunsDir('finetune-host');
  const rows = ['Review,Sentiment', ...Array.from({ length: 40 }, (_, i) => (i % 2 ? `"${POS[i % 6]}",pos` : `"${NEG[i % 6]}",neg`)), '"no label here",', '"x",pos,extra'];
  csv = join(runsDir, 'reviews.csv');
  writeFileSync(csv, rows.join('\n') + '\n');
});
afterAll(() => removeTempRunsDirs());

const SPLIT = { valFraction: 0.2, testFraction: 0.2, seed: 3, badRows: 'skip' as const };

test('a preview shows the columns, the guessed mapping, the balance per split and bad rows by line', () => {
  const p = previewLabeledFile({ data: csv, ...SPLIT });
  expect(p.available).toEqual(['Review', 'Sentiment']);
  expect(p.columns).toEqual({ text: 'Review', label: 'Sentiment' });
  expect(p.guessed.sort()).toEqual(['label', 'text']);
  expect(p.labels).toEqual(['neg', 'pos']);
  expect(p.counts).toEqual([20, 20]);
  // Stratified: round(20·0.2) = 4 of each class to validation and to test.
  expect(p.balance).toEqual({ train: [12, 12], val: [4, 4], test: [4, 4] });
  expect(p.rows).toBe(40);
  expect(p.badCount).toBe(2);
  expect(p.bad.map((b) => b.line)).toEqual([42, 43]);
  expect(p.bad[1].reason).toMatch(/3 fields, the header has 2/);
  expect(p.error).toBeNull();
});

test('a missing column and a class too small for the split are named by file, column and line', () => {
  const noLabel = join(runsDir, 'nolabel.csv');
  writeFileSync(noLabel, 'body,stars\nhello,5\n');
  const p = previewLabeledFile({ data: noLabel, ...SPLIT, textField: 'body' });
  expect(p.available).toEqual(['body', 'stars']);
  expect(p.columns).toBeNull();
  expect(p.error).toMatch(/nolabel\.csv: no label column found among body, stars/);
  expect(() => previewLabeledFile({ data: noLabel, ...SPLIT, labelField: 'rating' })).not.toThrow();
  expect(previewLabeledFile({ data: noLabel, ...SPLIT, labelField: 'rating' }).error).toMatch(/nolabel\.csv: no column 'rating'/);

  expect(minRowsPerClass(0.2, 0.2)).toBe(3); // round(3·0.2) = 1 each, 1 left to train
  expect(minRowsPerClass(0.1, 0.1)).toBe(5);
  const few = join(runsDir, 'few.csv');
  writeFileSync(few, ['text,label', ...Array.from({ length: 10 }, (_, i) => `row ${i},a`), 'lonely,b', 'row x,a', 'twin,b'].join('\n') + '\n');
  const q = previewLabeledFile({ data: few, ...SPLIT });
  expect(q.counts).toEqual([11, 2]);
  expect(q.error).toBe(`${few}: label column 'label': 'b' has 2 rows (lines 12, 14); with validation 0.2 and test 0.2 each class needs at least 3 rows to appear in every split`);
});

test('every scope choice the engine lists parses', () => {
  for (const c of SCOPE_CHOICES) expect(parseScope(scopeText(c.kind, 1)).kind).toBe(c.kind);
  expect(() => scopeText('everything', 0)).toThrow(/unknown scope 'everything'/);
});

test('finetune.start runs as the active run, is listed, and its scores are what classify.predict answers', async () => {
  const ctx = await GpuContext.open();
  const events: StudioEvent[] = [];
  try {
    const options = resolveTrainOptions(undefined, {
      objective: 'mlm', corpus: [SAMPLE_EN], runsDir, name: 'bert', split: 'tail', tokenizer: 'char', nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 32,
      batchSize: 4, steps: 2, warmupSteps: 0, evalEvery: 2, evalIters: 1, logEvery: 1, checkpointEvery: 2, sampleTokens: 0,
    });
    const bert = (await new TrainingRun(ctx, { kind: 'new', options }).start()).runDir;
    const service = new RunService({ runsDir, assetsDir: undefined, gpu: async () => ctx, emit: (e) => events.push(e) });
    const until = async (check: () => boolean, ms = 120_000) => {
      for (const end = Date.now() + ms; !check(); await new Promise((r) => setTimeout(r, 20))) if (Date.now() > end) throw new Error('timed out');
    };
    const params = { runDir: bert, checkpoint: 0, path: csv, name: 'reviews.csv', ...SPLIT, scope: 'all', steps: 6, lr: 1e-3, layerDecay: 0.8, batchSize: 4, evalEvery: 3, compare: true };

    // A bad file is refused before anything starts, by the name the person knows it by.
    const few = join(runsDir, 'few.csv');
    await expect(service.fineTune({ ...params, path: few, name: 'my-few.csv' })).rejects.toThrow(/^my-few\.csv: label column 'label': 'b' has 2 rows/);
    await expect(service.fineTune({ ...params, scope: 'top:9' })).rejects.toThrow(/top:9: the model has 1 layers/);

    const { runId, runDir, compareRunDir } = await service.fineTune(params);
    expect(runDir).toMatch(/classify-bert-pretrained-/);
    expect(compareRunDir).toMatch(/classify-bert-scratch-/);
    await until(() => events.some((e) => e.type === 'run.state' && e.runId !== runId && e.state === 'finished'));
    const mine = events.filter((e) => 'runId' in e && e.runId === runId);
    expect(mine.find((e) => e.type === 'run.started')).toMatchObject({ runDir, totalSteps: 6, model: { kind: 'encoder' } });
    expect(mine.flatMap((e) => (e.type === 'run.metrics' ? e.records.map((r) => r.step) : []))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(mine.filter((e) => e.type === 'run.eval').map((e) => (e.type === 'run.eval' ? e.record.step : 0))).toEqual([3, 6]);
    expect(mine.filter((e) => e.type === 'run.state').map((e) => (e.type === 'run.state' ? e.state : ''))).toEqual(['preparing', 'running', 'finished']);

    const listed = service.list().runs.filter((r) => r.objective === 'classify');
    expect(listed.map((r) => [r.runDir, r.status, r.totalSteps]).sort()).toEqual([[compareRunDir, 'finished', 6], [runDir, 'finished', 6]].sort());
    expect(service.open(runDir).options).toMatchObject({ steps: 6, batchSize: 4, lr: 1e-3, init: 'pretrained', scope: 'all', from: bert, labels: 'neg, pos' });
    const evalJson = JSON.parse(readFileSync(join(runDir, 'eval.json'), 'utf8')) as { test: { accuracy: number; confusion: number[][]; count: number } };
    process.env.PRETRAIN_STUDIO_RUNS = runsDir; // the host's run service (finetune.predictions) looks here
    const host = new HostContext({ assetsDir: undefined }, () => {});
    (host as unknown as { gpu: () => Promise<GpuContext> }).gpu = async () => ctx;
    const reply = await dispatch({ type: 'classify.predict', requestId: 'r1', params: { runDir, text: 'a good day' } }, host);
    expect(reply).toMatchObject({ ok: true, result: { init: 'pretrained', test: { accuracy: evalJson.test.accuracy } } });
    expect(evalJson.test.confusion.flat().reduce((a, b) => a + b, 0)).toBe(evalJson.test.count);
    expect(evalJson.test.count).toBe(8);
    expect(JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')).pretrain_studio.finetune.options.layerDecay).toBe(0.8);

    // The test rows behind the confusion matrix: rebuilt and scored as eval.json counted them.
    const predictions = await dispatch({ type: 'finetune.predictions', requestId: 'r2', params: { runDir } }, host);
    if (!predictions.ok) throw new Error(JSON.stringify(predictions.error));
    const all = predictions.result as { labels: string[]; split: string; total: number; rows: { line: number; text: string; label: number; predicted: number; probabilities: number[] }[] };
    expect(all).toMatchObject({ labels: ['neg', 'pos'], split: 'test', total: 8 });
    const counts = [[0, 0], [0, 0]];
    for (const r of all.rows) {
      counts[r.label][r.predicted]++;
      expect(r.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(r.predicted).toBe(r.probabilities[1] > r.probabilities[0] ? 1 : 0);
      expect(r.text).toBe((r.label ? POS : NEG)[(r.line - 2) % 6]); // line 2 + i holds row i
    }
    expect(counts).toEqual(evalJson.test.confusion);
    const cell = await dispatch({ type: 'finetune.predictions', requestId: 'r3', params: { runDir, label: 1, predicted: counts[1][1] ? 1 : 0 } }, host);
    expect(cell.ok && (cell.result as { total: number }).total).toBe(counts[1][1] || counts[1][0]);

    // The attention view reads the fine-tuned checkpoint (the body's weights; the head is not used).
    const bestStep = (JSON.parse(readFileSync(join(runDir, 'eval.json'), 'utf8')) as { bestStep: number }).bestStep;
    const att = await service.inspect({ kind: 'checkpoint', runDir }, ['a good day']);
    expect(att.step).toBe(bestStep);
    expect(att.sentences[0].tokens.join('')).toBe('a good day');

    // Stopped between steps: scored at the step it reached, kept, listed as stopped.
    const s = await service.fineTune({ ...params, compare: false, steps: 400, evalEvery: 400 });
    await until(() => events.some((e) => e.type === 'run.metrics' && e.runId === s.runId));
    service.stop(s.runId);
    await until(() => events.some((e) => e.type === 'run.state' && e.runId === s.runId && e.state === 'stopped'));
    expect(existsSync(join(s.runDir, 'eval.json'))).toBe(true);
    expect(service.list().runs.find((r) => r.runDir === s.runDir)?.status).toBe('stopped');

    // Resumed from the Runs page (run.resume with a folder): it goes on from the step it stopped at.
    const at = (JSON.parse(readFileSync(join(s.runDir, 'eval.json'), 'utf8')) as { steps: number }).steps;
    const r = await service.resume({ runDir: s.runDir, steps: at + 3 });
    await until(() => events.some((e) => e.type === 'run.state' && e.runId === r.runId && e.state === 'finished'));
    expect(events.find((e) => e.type === 'run.started' && e.runId === r.runId)).toMatchObject({ resumed: true, startStep: at, totalSteps: at + 3 });
    expect(events.flatMap((e) => (e.type === 'run.metrics' && e.runId === r.runId ? e.records.map((x) => x.step) : []))).toEqual([at + 1, at + 2, at + 3]);
    expect(service.list().runs.find((x) => x.runDir === s.runDir)).toMatchObject({ status: 'finished', totalSteps: at + 3 });

    // The LoRA choice: adapters saved in PEFT's files beside the checkpoint.
    const l = await service.fineTune({ ...params, scope: 'lora', lora: { rank: 4, alpha: 8, targets: 'all-linear' }, compare: false, steps: 2, evalEvery: 2 });
    await until(() => events.some((e) => e.type === 'run.state' && e.runId === l.runId && e.state === 'finished'));
    const ck = join(l.runDir, 'checkpoints', `step-${(JSON.parse(readFileSync(join(l.runDir, 'eval.json'), 'utf8')) as { bestStep: number }).bestStep}`);
    expect(existsSync(join(ck, 'adapter_model.safetensors'))).toBe(true);
    expect(JSON.parse(readFileSync(join(ck, 'adapter_config.json'), 'utf8'))).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8 });
  } finally {
    ctx.destroy();
  }
}, 240_000);
