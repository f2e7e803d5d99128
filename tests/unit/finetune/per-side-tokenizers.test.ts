// A classifier fine-tuned with LoRA on a seq2seq run that has a tokenizer per side
// (tokenizer.json = source, target_tokenizer.json = target), then merged: the fine-tuned run and
// its merged copy both carry the target tokenizer byte for byte, so either reads back as the run
// it came from (loadRunTokenizers: separate sides), and the merged copy scores as the adapted run.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { resolveTrainOptions } from '../../../src/engine/config/train-config';
import { mergeLoraRun } from '../../../src/engine/finetune/merge';
import { evaluateRun, FINETUNE_DEFAULTS, fineTune, loadLabeledData, type FineTuneOptions } from '../../../src/engine/finetune/run';
import { parseScope } from '../../../src/engine/finetune/scope';
import { GpuContext } from '../../../src/engine/gpu/device';
import { LORA_DEFAULTS } from '../../../src/engine/model/lora';
import { loadRunTokenizers, TARGET_TOKENIZER_FILE, TOKENIZER_FILE, TrainingRun } from '../../../src/engine/train/index';
import { copyRunTokenizers } from '../../../src/engine/train/run-tokenizers';
import { removeTempRunsDirs, tempRunsDir } from '../../integration/helpers';

let ctx: GpuContext;
let runsDir: string;
let base: string;
let labeled: string;

beforeAll(async () => {
  ctx = await GpuContext.open();
  runsDir = tempRunsDir('finetune-per-side');
  const tsv = join(runsDir, 'pairs.tsv');
  const words = ['cats', 'dogs', 'birds', 'fish'], zh = ['猫', '狗', '鸟', '鱼'];
  writeFileSync(tsv, ['en\tzh', ...Array.from({ length: 60 }, (_, i) => `I have ${i % 10} ${words[i % 4]}.\t我有${i % 10}只${zh[i % 4]}。`)].join('\n') + '\n');
  const options = resolveTrainOptions(undefined, {
    objective: 'seq2seq', corpus: [tsv], sharedTokenizer: false, runsDir, name: 'base', split: 'document', valFraction: 0.2, tokenizer: 'char',
    nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 24, batchSize: 4, steps: 2, warmupSteps: 0, evalEvery: 2, evalIters: 1, logEvery: 1, checkpointEvery: 2,
    sampleTokens: 0, dropout: 0, evalTranslations: 0, attentionSnapshots: false,
  });
  base = (await new TrainingRun(ctx, { kind: 'new', options }).start()).runDir;
  labeled = join(runsDir, 'labeled.csv');
  writeFileSync(labeled, ['label,text', ...Array.from({ length: 40 }, (_, i) => (i % 2 ? `pos,"I have ${i % 10} cats."` : `neg,"I have ${i % 10} fish."`))].join('\n') + '\n');
}, 180_000);
afterAll(() => {
  ctx?.destroy();
  removeTempRunsDirs();
});

const bytes = (dir: string, name: string) => readFileSync(join(dir, name));

test('the per-side base keeps both tokenizers; copyRunTokenizers copies both, or only tokenizer.json when there is one', () => {
  expect(existsSync(join(base, TARGET_TOKENIZER_FILE))).toBe(true);
  const to = tempRunsDir('copy-tokenizers');
  expect(copyRunTokenizers(base, to)).toEqual([TOKENIZER_FILE, TARGET_TOKENIZER_FILE]);
  for (const f of [TOKENIZER_FILE, TARGET_TOKENIZER_FILE]) expect(bytes(to, f).equals(bytes(base, f)), f).toBe(true);
  const shared = tempRunsDir('copy-tokenizers-shared');
  expect(copyRunTokenizers(to, shared)).toEqual([TOKENIZER_FILE, TARGET_TOKENIZER_FILE]);
  const only = tempRunsDir('copy-tokenizer-only');
  writeFileSync(join(only, TOKENIZER_FILE), bytes(base, TOKENIZER_FILE));
  const dest = tempRunsDir('copy-tokenizer-only-dest');
  expect(copyRunTokenizers(only, dest)).toEqual([TOKENIZER_FILE]);
  expect(existsSync(join(dest, TARGET_TOKENIZER_FILE))).toBe(false);
});

test('LoRA fine-tune of the per-side run, then merge: both folders carry target_tokenizer.json, and the merged copy scores as the adapted run', async () => {
  const o: FineTuneOptions = {
    ...FINETUNE_DEFAULTS, from: base, data: labeled, runsDir, name: 'per-side-lora', valFraction: 0.2, testFraction: 0.2, steps: 2, batchSize: 8,
    maxLength: 16, evalEvery: 2, warmupSteps: 0, lr: 1e-2, scope: parseScope('lora', { ...LORA_DEFAULTS, rank: 2, alpha: 4, dropout: 0 }),
  };
  const r = await fineTune(ctx, o, loadLabeledData(o));
  const merged = mergeLoraRun(r.runDir);
  for (const dir of [r.runDir, merged.runDir]) {
    for (const f of [TOKENIZER_FILE, TARGET_TOKENIZER_FILE]) expect(bytes(dir, f).equals(bytes(base, f)), `${dir}/${f}`).toBe(true);
    const toks = await loadRunTokenizers(dir);
    expect(toks.separate).toBe(true);
    expect(toks.target.vocabSize).not.toBe(toks.source.vocabSize);
  }
  const [a, b] = [await evaluateRun(ctx, r.runDir, labeled), await evaluateRun(ctx, merged.runDir, labeled)];
  expect(b.confusion).toEqual(a.confusion);
  expect(Math.abs(b.loss - a.loss)).toBeLessThan(1e-5);
}, 180_000);
