// Long preparation in the app: a run on a corpus big enough to take a while (generated here) shows
// a progress bar with its percentage and ETA on the Train page; Cancel, while it builds its token
// shards, stops it, and neither its folder nor anything half-written in the cache stays. On the Data page a big file's import shows
// the same bar, and Cancel removes the entry and its import.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { writeSyllableCorpus } from './generated-corpus.ts';
import { askEngine, openPage, startRunsBridge, TINY_OPTIONS, type RunsBridge } from './run-helpers.ts';

let env: RunsBridge;
let dataDir: string;
let big: string;

/** Every path under `dir`, relative, folders ending in '/'. */
function walk(dir: string, base = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const rel = base ? `${base}/${name}` : name;
    return statSync(join(dir, name)).isDirectory() ? [rel + '/', ...walk(join(dir, name), rel)] : [rel];
  });
}

test.beforeAll(async () => {
  env = await startRunsBridge('prepare');
  dataDir = mkdtempSync(join(tmpdir(), 'studio-prepare-data-'));
  big = join(dataDir, 'big-corpus.txt');
  writeSyllableCorpus(big, 40, 11);
});
test.afterAll(async () => {
  await env?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('a preparing run shows percentage and ETA; Cancel stops it and leaves nothing behind', async ({ page }) => {
  test.setTimeout(240_000);
  const { runDir } = await askEngine<{ runDir: string }>(env.bridge, 'run.start', {
    options: { ...TINY_OPTIONS, corpus: [big], tokenizer: 'char', name: 'big-corpus' }, attention: null,
  });
  expect(existsSync(runDir)).toBe(true);
  await openPage(page, env.bridge.url, 'Train');
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'preparing');

  // The preparation's bar (the steps' bar waits below it, at 0): import, tokenizer, then shards,
  // which the headless host encodes on worker threads. Cancelled there.
  await expect(page.getByTestId('phase-progress')).toBeVisible();
  const bar = page.getByRole('progressbar', { name: 'Building token shards' });
  await expect(bar).toBeVisible({ timeout: 120_000 });
  // A percentage part-way, and an ETA once the phase has a rate.
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('phase-percent')).toHaveText(/^\d{1,3}\.\d%$/);
  await expect(page.getByTestId('phase-eta')).toHaveText(/^ETA (\d+h )?(\d+m )?\d+s$/, { timeout: 60_000 });
  expect(Number(await bar.getAttribute('aria-valuenow'))).toBeLessThan(100);

  await page.getByRole('button', { name: 'Cancel data preparation (stops the run)' }).click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'stopped', { timeout: 30_000 });
  await expect(page.getByTestId('run-message')).toContainText('was removed');
  await expect(bar).toHaveCount(0);
  expect(existsSync(runDir)).toBe(false);
  const cache = walk(join(env.runsDir, '.cache'));
  expect(cache.filter((p) => p.includes('.tmp-') || p.includes('part-'))).toEqual([]);
  for (const p of cache.filter((q) => /^shards\/tokens-[0-9a-f]+\/$/.test(q))) expect(existsSync(join(env.runsDir, '.cache', p, 'meta.json'))).toBe(true);
  // The runs list shows no half-made run.
  const { runs } = await askEngine<{ runs: { name: string; demo?: boolean }[] }>(env.bridge, 'run.list', {});
  expect(runs.filter((r) => !r.demo).map((r) => r.name)).toEqual([]);
});

test('a big file importing on the Data page shows the bar; Cancel removes it and its import', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(env.bridge.url);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Corpus');
  await expect(page.getByTestId('corpus-file').filter({ hasText: 'sample-en.txt' }).locator('.badge')).toHaveText('ok');
  await askEngine(env.bridge, 'corpus.add', { paths: [big] });
  const row = page.getByTestId('corpus-file').filter({ hasText: 'big-corpus.txt' });
  const bar = row.getByRole('progressbar', { name: 'Importing' });
  await expect(bar).toBeVisible();
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 30_000 }).toBeGreaterThan(0);
  await row.getByRole('button', { name: 'Cancel importing big-corpus.txt' }).click();
  await expect(row).toHaveCount(0);
  const snapshot = await askEngine<{ files: { name: string }[] }>(env.bridge, 'corpus.list', {});
  expect(snapshot.files.map((f) => f.name)).not.toContain('big-corpus.txt');
});
