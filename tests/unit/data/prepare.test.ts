// prepareData: the whole path from files to batches, cached end to end.
import { utimesSync, writeFileSync } from 'node:fs';
import { afterAll, expect, test } from 'vitest';
import { prepareData, sampleBatch, batchRng, CorpusImportError } from '../../../src/engine/data';
import { Workspace } from './helpers';

const ws = new Workspace();
afterAll(() => ws.dispose());

test('first run imports, trains and tokenizes; the second reuses all three; a changed file invalidates', async () => {
  const file = ws.file('corpus/a.txt', Array.from({ length: 50 }, (_, i) => `The cat ${i} sat on the mat.\n猫在垫子上睡觉。`).join('\n\n'));
  const opts = {
    inputs: [ws.path('corpus')], dataDir: ws.path('data'),
    tokenizer: { kind: 'bpe' as const, vocabSize: 320 }, split: { kind: 'documents' as const, valFraction: 0.1, seed: 3 },
  };
  const first = await prepareData(opts);
  expect(first.cached).toEqual({ corpus: false, tokenizer: false, shards: false });
  expect(first.manifest.stats.documents).toBe(50);
  expect(first.train.tokens + first.val.tokens).toBe(first.dataset.meta.numTokens);

  const t0 = performance.now();
  const second = await prepareData(opts);
  expect(second.cached).toEqual({ corpus: true, tokenizer: true, shards: true });
  expect(performance.now() - t0).toBeLessThan(1000);
  expect(second.tokenizer.hash).toBe(first.tokenizer.hash);
  const a = sampleBatch(first.dataset, first.train, 2, 8, batchRng(9, 1, 'train'));
  const b = sampleBatch(second.dataset, second.train, 2, 8, batchRng(9, 1, 'train'));
  expect(b.x).toEqual(a.x);

  writeFileSync(file, 'A different corpus.\n\nWith two paragraphs, 两段。');
  utimesSync(file, new Date(), new Date(Date.now() + 5000));
  const third = await prepareData(opts);
  expect(third.cached).toEqual({ corpus: false, tokenizer: false, shards: false });
  expect(third.manifest.stats.documents).toBe(2);
});

test('nothing importable: CorpusImportError lists the issues', async () => {
  ws.file('bad/empty.txt', '');
  const p = prepareData({ inputs: [ws.path('bad')], dataDir: ws.path('data2'), tokenizer: { kind: 'char', vocabSize: 100 }, split: { kind: 'stream', valFraction: 0.1 } });
  await expect(p).rejects.toBeInstanceOf(CorpusImportError);
  await expect(p).rejects.toThrow(/empty\.txt: the file is empty/);
});
