// Data preparation for a run: corpus problems are reported and the rest imported; a second run
// over the same files finds the imported corpus, the tokenizer and the token shards in the cache.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { prepareData, type PrepareProgress } from '../../src/engine/train/index.ts';
import { removeTempRunsDirs, SAMPLE_EN, tempRunsDir, tinyOptions } from './helpers';

afterAll(() => removeTempRunsDirs());

test('issues are reported, the rest is imported; the second preparation is all cache hits', async () => {
  const runsDir = tempRunsDir('prepare');
  const empty = join(runsDir, 'empty.txt');
  writeFileSync(empty, '');
  const options = tinyOptions(runsDir, { corpus: [SAMPLE_EN, empty], tokenizer: 'bpe', vocabSize: 400, split: 'document' });
  const first: PrepareProgress[] = [];
  const a = await prepareData(options, { onProgress: (p) => first.push(p) });
  expect(a.issues.map((i) => [i.file, i.code])).toEqual([[empty, 'empty-file']]);
  expect(a.shards.cacheHit).toBe(false);
  expect(a.tokenizer.vocabSize).toBe(400);
  expect(a.tokenizer.tokenToId('<|endoftext|>')).toBe(0); // GPT's document separator
  expect(a.train.tokens + a.val.tokens).toBe(a.dataset.meta.numTokens);
  expect(a.val.documents.length).toBeGreaterThan(0);
  expect(first.some((p) => p.phase === 'tokenizer' && /training/.test(p.message))).toBe(true);

  const second: PrepareProgress[] = [];
  const b = await prepareData(options, { onProgress: (p) => second.push(p) });
  expect(b.shards.cacheHit).toBe(true);
  expect(b.tokenizer.hash).toBe(a.tokenizer.hash);
  expect(b.corpusDir).toBe(a.corpusDir);
  expect(second.some((p) => p.phase === 'import' && /already imported/.test(p.message))).toBe(true);
  expect(second.some((p) => p.phase === 'tokenizer' && /from the cache/.test(p.message))).toBe(true);
  expect(b.issues).toEqual(a.issues);
});

test('a corpus with nothing to import fails with the files named', async () => {
  const runsDir = tempRunsDir('prepare-bad');
  const empty = join(runsDir, 'nothing.txt');
  writeFileSync(empty, '\n\n');
  await expect(prepareData(tinyOptions(runsDir, { corpus: [empty] }))).rejects.toThrow(/Nothing could be imported[\s\S]*nothing\.txt/);
});
