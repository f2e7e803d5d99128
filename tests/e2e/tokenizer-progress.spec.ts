// Training a tokenizer on the Data page on a corpus big enough to take a few seconds (generated
// here): the panel shows the progress bar with a percentage while the host trains (its counting
// pass on worker threads), then the trained tokenizer; Cancel during a retrain stops it and the
// panel is back to what it showed before (the earlier tokenizer, no error).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { askEngine, startRunsBridge, type RunsBridge } from './run-helpers.ts';

let env: RunsBridge;
let dataDir: string;
let big: string;

/** About `mb` MB of varied paragraphs (mulberry32 syllable words): BPE has merges to learn. */
function writeCorpus(path: string, mb: number): void {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'su', 'ta', 'ri', 'po', 'an', 'el', 'or', 'us', 'qu', 'ix', 'dre', 'mon', '猫', '河'];
  let s = 5;
  const next = () => { s = (s + 0x6d2b79f5) | 0; let t = Math.imul(s ^ (s >>> 15), 1 | s); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32; };
  const parts: string[] = [];
  let size = 0;
  for (let p = 0; size < mb * 1e6; p++) {
    const text = `${p} ${Array.from({ length: 60 }, () => Array.from({ length: 1 + Math.floor(next() * 4) }, () => syllables[Math.floor(next() * syllables.length)]).join('')).join(' ')}.\n\n`;
    parts.push(text);
    size += Buffer.byteLength(text);
  }
  writeFileSync(path, parts.join(''));
}

test.beforeAll(async () => {
  env = await startRunsBridge('tokenizer');
  dataDir = mkdtempSync(join(tmpdir(), 'studio-tokenizer-data-'));
  big = join(dataDir, 'words-corpus.txt');
  writeCorpus(big, 12);
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
