// Training a tokenizer on the Data page on a corpus big enough to take a few seconds (generated
// here): the panel shows the progress bar with a percentage while the host trains (its counting
// pass on worker threads), then the trained tokenizer; Cancel during a retrain stops it and the
// panel is back to what it showed before (the earlier tokenizer, no error).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { writeSyllableCorpus } from './generated-corpus.ts';
import { askEngine, startRunsBridge, type RunsBridge } from './run-helpers.ts';

let env: RunsBridge;
let dataDir: string;
let big: string;

test.beforeAll(async () => {
  env = await startRunsBridge('tokenizer');
  dataDir = mkdtempSync(join(tmpdir(), 'studio-tokenizer-data-'));
  big = join(dataDir, 'words-corpus.txt');
  writeSyllableCorpus(big, 12, 5);
});
test.afterAll(async () => {
  await env?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The Data page with the big file imported, BPE with 4000 tokens chosen. */
async function ready(page: Page): Promise<void> {
  await page.goto(env.bridge.url);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Corpus');
  await askEngine(env.bridge, 'corpus.add', { paths: [big] });
  await expect(page.getByTestId('corpus-file').filter({ hasText: 'words-corpus.txt' }).locator('.badge')).toHaveText('ok', { timeout: 60_000 });
  await page.getByRole('radio', { name: /Byte-level BPE/ }).check();
  await page.getByLabel('Vocabulary size').fill('4000');
}

test('training a tokenizer shows the bar with a percentage, then the tokenizer', async ({ page }) => {
  test.setTimeout(240_000);
  await ready(page);
  await page.getByRole('button', { name: /^(Re)?[Tt]rain tokenizer$/ }).click();
  const bar = page.getByTestId('tokenizer-progress').getByRole('progressbar', { name: 'Tokenizer' });
  await expect(bar).toBeVisible();
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('tokenizer-progress').getByTestId('phase-percent')).toHaveText(/^\d{1,3}\.\d%$/);
  await expect(page.getByTestId('tokenizer-info')).toContainText('Byte-level BPE: 4,000 tokens', { timeout: 180_000 });
  await expect(page.getByTestId('tokenizer-progress')).toHaveCount(0);
});

test('Cancel stops a retrain and the panel is back to the tokenizer it had', async ({ page }) => {
  test.setTimeout(240_000);
  await ready(page);
  const info = page.getByTestId('tokenizer-info');
  await expect(info).toBeVisible();
  const before = await info.textContent();
  await page.getByLabel('Vocabulary size').fill('6000');
  await page.getByRole('button', { name: 'Retrain tokenizer' }).click();
  const bar = page.getByTestId('tokenizer-progress').getByRole('progressbar', { name: 'Tokenizer' });
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 60_000 }).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Cancel tokenizer training' }).click();
  await expect(page.getByTestId('tokenizer-progress')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Retrain tokenizer' })).toBeEnabled();
  await expect(info).toHaveText(before!);
  await expect(page.getByText('Tokenizer training failed')).toHaveCount(0);
  const snapshot = await askEngine<{ tokenizer: { vocabSize: number }; training?: unknown }>(env.bridge, 'corpus.list', {});
  expect(snapshot.tokenizer.vocabSize).toBe(4000);
  expect(snapshot.training).toBeUndefined();
});
