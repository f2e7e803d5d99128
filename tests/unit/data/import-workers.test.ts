// Imports on a worker thread give what importCorpus gives in this thread (documents byte for byte,
// manifest, issues, report), relay progress, name a bad file as before, rethrow an error with its
// message, and a cancel mid-way leaves nothing behind.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { importCorpus, type ImportProgress } from '../../../src/engine/data';
import { importCorpusOffThread } from '../../../src/engine/data/import-workers';
import { workerScript } from '../../../src/engine/data/shard-workers';
import { trainTokenizer } from '../../../src/engine/tokenizers';
import { Workspace } from './helpers';

const ws = new Workspace();
afterAll(() => ws.dispose());

ws.file('in/a.txt', Array.from({ length: 400 }, (_, i) => `paragraph ${i}: the cat ${i % 17} sat.\n猫在垫子上${i % 5}。`).join('\n\n'));
ws.file('in/b.csv', 'text,label\n' + Array.from({ length: 300 }, (_, i) => `"row ${i}, with a comma",${i % 3 ? 'pos' : 'neg'}`).join('\n') + '\n');
ws.file('in/sub/c.jsonl', Array.from({ length: 200 }, (_, i) => JSON.stringify({ text: `json ${i}` })).join('\n') + '\n{"text": broken\n');

/** What must match: every field but the times. */
function comparable(dir: string) {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const report = JSON.parse(readFileSync(join(dir, 'import-report.json'), 'utf8'));
  delete manifest.createdAt; delete report.createdAt;
  return { docs: readFileSync(join(dir, 'documents.jsonl')), manifest, report };
}

test('the worker script is found from sources', () => {
  expect(workerScript('import-worker')).not.toBeNull();
});

test('a folder imported on a worker is the folder imported in this thread; progress arrives; a bad line is named', async () => {
  const tok = await trainTokenizer(['the cat sat 猫在垫子上'], { kind: 'char', vocabSize: 1000, specials: [] });
  const here = await importCorpus({ inputs: [ws.path('in')], outDir: ws.path('out-here'), tokenizer: tok });
  const seen: ImportProgress[] = [];
  const there = await importCorpusOffThread({ inputs: [ws.path('in')], outDir: ws.path('out-worker'), tokenizer: tok, onProgress: (p) => seen.push(p) }, { worker: true });
  expect(there.dir).toBe(ws.path('out-worker'));
  expect(there.manifest!.stats.tokens, 'the tokenizer crossed too').toBeGreaterThan(0);
  const { createdAt: _a, ...m1 } = here.manifest!;
  const { createdAt: _b, ...m2 } = there.manifest!;
  expect(m2).toEqual(m1);
  expect(there.issues).toEqual(here.issues);
  expect(comparable(there.dir!)).toEqual(comparable(here.dir!));
  const bad = there.issues.find((i) => i.file.endsWith('c.jsonl'));
  expect(bad?.file).toBe(ws.path('in/sub/c.jsonl'));
  expect(bad?.line).toBe(201);
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.at(-1)!.bytesRead).toBe(seen.at(-1)!.totalBytes);
}, 60_000);

test('an error thrown by the import comes back with its message', async () => {
  const failing = importCorpusOffThread({ inputs: [ws.path('in/a.txt'), ws.path('in/b.csv')], targetFiles: [ws.path('in/a.txt')], outDir: ws.path('out-err') }, { worker: true });
  await expect(failing).rejects.toThrow(/line-aligned pairs need one target file per corpus file: got 2 corpus files \(.*a\.txt, .*b\.csv\)/);
  await expect(importCorpusOffThread({ inputs: [ws.path('in/a.txt'), ws.path('in/b.csv')], targetFiles: [ws.path('in/a.txt')], outDir: ws.path('out-err') }, { worker: true }))
    .rejects.toMatchObject({ name: 'Error' });
}, 60_000);

test('a cancel mid-way leaves nothing behind', async () => {
  const big = ws.file('big/big.txt', Array.from({ length: 120_000 }, (_, i) => `line ${i} of a long file about cats ${i % 101}.`).join('\n\n'));
  const abort = new AbortController();
  let fraction = 0;
  const importing = importCorpusOffThread({
    inputs: [big], outDir: ws.path('big-out/corpus'), signal: abort.signal,
    onProgress: (p) => { fraction = p.bytesRead / p.totalBytes; if (p.bytesRead > 0 && !abort.signal.aborted) abort.abort(new Error('cancelled by the test')); },
  }, { worker: true });
  await expect(importing).rejects.toThrow('cancelled by the test');
  expect(fraction).toBeLessThan(1);
  expect(readdirSync(ws.path('big-out'))).toEqual([]);
}, 60_000);
