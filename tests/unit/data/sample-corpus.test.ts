// The built-in sample corpus: imports cleanly, has what the objectives need, and is exactly what
// its generator produces.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { importCorpus, SAMPLE_CORPUS_FILES } from '../../../src/engine/data';
import { Workspace } from './helpers';

const ws = new Workspace();
afterAll(() => ws.dispose());
const dir = new URL('../../../assets/sample-corpus/', import.meta.url).pathname;
const files = [...SAMPLE_CORPUS_FILES];

test('imports without issues: paragraphs, labeled reviews, both scripts, no duplicates', async () => {
  const r = await importCorpus({ inputs: files.map((f) => join(dir, f)), outDir: ws.path('corpus') });
  expect(r.issues).toEqual([]);
  const m = r.manifest!;
  expect(m.files.map((f) => f.path.split('/').pop())).toEqual(files);
  const byName = Object.fromEntries(m.files.map((f) => [f.path.split('/').pop(), f.documents]));
  expect(byName['sample-en.txt']).toBeGreaterThan(500);
  expect(byName['sample-zh.txt']).toBeGreaterThan(500);
  expect(byName['sample-reviews.tsv']).toBe(1400);
  expect(byName['sample-reviews-zh.csv']).toBe(1400);
  expect(m.stats.duplicatesDropped).toBe(0);
  expect(m.stats.labels).toEqual({ 0: 1400, 1: 1400 });
  expect(m.stats.scripts.han).toBeGreaterThan(50000);
  expect(m.stats.scripts.latin).toBeGreaterThan(150000);
  const docs = ws.docs(r.dir!);
  expect(docs.some((d) => d.text.startsWith('The cat sat on the mat.'))).toBe(true);
  expect(docs.some((d) => d.text.startsWith('猫在垫子上睡觉。'))).toBe(true);
  // Paragraphs have several sentences (next-sentence pairs need them).
  const en = docs.filter((d) => m.files[d.source].path.endsWith('sample-en.txt'));
  const sentences = en.map((d) => d.text.split(/(?<=[.?!]"?) /).length);
  expect(Math.min(...sentences)).toBeGreaterThanOrEqual(3);
});

test('stays small (≤ 600 KB) and is reproduced byte for byte by its generator', () => {
  const total = readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
  expect(total).toBeLessThan(600_000);
  const out = ws.path('regenerated');
  execFileSync(process.execPath, ['--import', 'tsx', new URL('../../../scripts/make-sample-corpus.ts', import.meta.url).pathname, out], { stdio: 'pipe' });
  for (const f of files) expect(readFileSync(join(out, f)).equals(readFileSync(join(dir, f))), f).toBe(true);
});
