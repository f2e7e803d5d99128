// The nanoGPT reference workload's data path on the real file (read from ../shared/datasets at
// run time, never copied): one document per file, no dedup, a char vocabulary without specials,
// no separator, stream split 90/10 — the token stream must be the file itself and the split
// sizes nanoGPT's prepare.py gets (int(n * 0.9)).
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, expect, test } from 'vitest';
import { importCorpus, buildShards, openShards, splitDataset, readTexts } from '../../../src/engine/data';
import { trainTokenizer } from '../../../src/engine/tokenizers';
import { Workspace } from './helpers';

const FILE = new URL('../../../../shared/datasets/tinyshakespeare.txt', import.meta.url).pathname;
const missing = !existsSync(FILE);
if (missing) console.warn(`SKIPPED shakespeare data test: ${FILE} is missing (reference data lives in ../shared/datasets/)`);

const ws = new Workspace();
afterAll(() => ws.dispose());

test.skipIf(missing)('tinyshakespeare: stream = the file, vocab 65, train/val = 1003854/111540 tokens', async () => {
  const raw = readFileSync(FILE, 'utf8');
  const r = await importCorpus({ inputs: [FILE], outDir: ws.path('corpus'), textDocuments: 'file', dedup: false });
  expect(r.issues).toEqual([]);
  const tok = await trainTokenizer(readTexts(r.dir!), { kind: 'char', vocabSize: 1000, specials: [] });
  expect(tok.vocabSize).toBe(65);
  const built = await buildShards({ corpusDir: r.dir!, tokenizer: tok, cacheDir: ws.path('cache'), separator: [] });
  const ds = await openShards(built.dir);
  expect(ds.meta.dtype).toBe('uint16');
  expect(tok.decode([...ds.tokens.subarray(0, ds.tokens.length)])).toBe(raw);
  const { train, val } = splitDataset(ds, { kind: 'stream', valFraction: 0.1 });
  expect(train.tokens).toBe(Math.floor(raw.length * 0.9));
  expect(val.tokens).toBe(raw.length - Math.floor(raw.length * 0.9));
}, 60_000);
