// The corpus page on the real engine host, through the bridge: files dropped on the window (a
// DataTransfer, as a browser gives it: no paths, so the bytes are uploaded in chunks) are imported
// with their statistics; bad files show errors naming them; the tokenizer preview cuts Chinese.
import { expect, test, type Page } from '@playwright/test';
import type { RunningBridge } from './bridge.ts';
import { dropFiles, startRunsBridge, type RunsBridge } from './run-helpers.ts';

// Run folders and the data cache the previews fill go to a temporary folder, not ./runs.
let runs: RunsBridge;
let bridge: RunningBridge;
test.beforeAll(async () => {
  runs = await startRunsBridge('e2e-runs');
  bridge = runs.bridge;
});
test.afterAll(async () => {
  await runs?.stop();
});

const PARAGRAPHS = Array.from({ length: 12 }, (_, i) => `Zebracorn paragraph ${i}: the striped unicorn grazes near river ${i}. 斑马独角兽在河边吃草。`);

async function openCorpus(page: Page): Promise<void> {
  await page.goto(bridge.url);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Corpus');
  // The built-in samples are the default corpus; wait until every import has finished.
  for (const name of ['sample-en.txt', 'sample-zh.txt', 'sample-reviews.tsv', 'sample-reviews-zh.csv']) {
    await expect(page.getByTestId('corpus-file').filter({ hasText: name }).locator('.badge')).toHaveText('ok');
  }
  await expect(page.getByTestId('corpus-file').locator('.badge.busy')).toHaveCount(0);
}

test('a dropped file is uploaded, imported, previewed and counted', async ({ page }) => {
  await openCorpus(page);
  const before = Number((await page.getByTestId('stat-documents').innerText()).replace(/,/g, ''));
  // Dropped on another page: the file joins the corpus and the Corpus page shows it.
  await page.getByRole('button', { name: 'Model & objective', exact: true }).click();
  await dropFiles(page, [{ name: 'zebracorn.txt', text: PARAGRAPHS.join('\n\n') + '\n' }]);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Corpus');
  const row = page.getByTestId('corpus-file').filter({ hasText: 'zebracorn.txt' });
  await expect(row).toContainText('12 documents');
  await expect(row.locator('.badge')).toHaveText('ok');
  await expect(page.getByTestId('stat-documents')).toHaveText((before + 12).toLocaleString('en-US'));
  await expect(page.getByTestId('script-mix')).toContainText('Han');
  await page.getByRole('button', { name: 'Preview zebracorn.txt' }).click();
  const docs = page.getByTestId('document-preview');
  await expect(docs).toContainText('Documents of zebracorn.txt');
  await expect(docs).toContainText(PARAGRAPHS[0]);
  await expect(docs).toContainText('page 1 of 2');
  await docs.getByRole('button', { name: 'Next ›' }).click();
  await expect(docs).toContainText(PARAGRAPHS[11]);
  await page.screenshot({ path: 'test-results/corpus-dropped.png', fullPage: true });

  // Removing it takes its documents out of the statistics.
  await row.getByRole('button', { name: 'Remove zebracorn.txt' }).click();
  await expect(page.getByTestId('corpus-file').filter({ hasText: 'zebracorn.txt' })).toHaveCount(0);
  await expect(page.getByTestId('stat-documents')).toHaveText(before.toLocaleString('en-US'));
});

test('a file larger than one bridge message arrives whole (chunked upload)', async ({ page }) => {
  await openCorpus(page);
  // ~1.3 MB in 20,000 distinct paragraphs: three 512 KiB chunks.
  await page.evaluate(() => {
    const text = Array.from({ length: 20_000 }, (_, i) => `Chunked paragraph number ${i} says hello to 世界 ${i * 7}.`).join('\n\n');
    const data = new DataTransfer();
    data.items.add(new File([text], 'big.txt'));
    for (const type of ['dragenter', 'dragover', 'drop']) document.body.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  const row = page.getByTestId('corpus-file').filter({ hasText: 'big.txt' });
  await expect(row).toContainText('20,000 documents');
  await expect(row).toContainText('MB');
  await row.getByRole('button', { name: 'Remove big.txt' }).click();
  await expect(row).toHaveCount(0);
});

test('binary and empty files show an error naming the file', async ({ page }) => {
  await openCorpus(page);
  await dropFiles(page, [
    { name: 'photo.txt', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1] },
    { name: 'nothing.txt', text: '' },
  ]);
  for (const name of ['photo.txt', 'nothing.txt']) {
    const row = page.getByTestId('corpus-file').filter({ hasText: name });
    await expect(row.locator('.badge')).toHaveText('error');
    await expect(row.getByRole('alert').first()).toContainText(name);
  }
  await expect(page.getByTestId('corpus-file').filter({ hasText: 'photo.txt' })).toContainText(/binary|undecodable/i);
  await expect(page.getByTestId('corpus-file').filter({ hasText: 'nothing.txt' })).toContainText(/empty/i);
  await page.screenshot({ path: 'test-results/corpus-errors.png', fullPage: true });
});

test('the tokenizer trains on the host and previews a Chinese sentence as chips', async ({ page }) => {
  await openCorpus(page);
  await page.getByRole('radio', { name: /Characters/ }).check();
  await page.getByRole('button', { name: /Train tokenizer|Retrain tokenizer/ }).click();
  await expect(page.getByTestId('tokenizer-info')).toContainText('tokens');
  await expect(page.getByTestId('stat-tokens')).not.toContainText('train a tokenizer');
  const input = page.getByLabel('Try a sentence');
  await input.fill('猫在垫子上睡觉');
  const chips = page.getByTestId('token-preview').locator('.chip .text');
  await expect(chips).toHaveText(['猫', '在', '垫', '子', '上', '睡', '觉']);
  // Characters the corpus never had are not in a char vocabulary: the preview says they are lost.
  await input.fill('猫喵');
  await expect(chips).toHaveText(['猫']);
  await expect(page.getByTestId('token-dropped')).toContainText('喵');

  // Byte-level BPE: the same sentence in fewer or equal tokens, chips decode to whole characters.
  await page.getByRole('radio', { name: /Byte-level BPE/ }).check();
  await page.getByLabel('Vocabulary size').fill('600');
  await page.getByRole('button', { name: /Retrain tokenizer/ }).click();
  await expect(page.getByTestId('tokenizer-info')).toContainText('Byte-level BPE');
  await input.fill('猫在垫子上睡觉');
  await expect.poll(async () => (await chips.allInnerTexts()).join('').replace(/⟨[^⟩]*⟩/g, '').length).toBeGreaterThan(0);
  await page.screenshot({ path: 'test-results/corpus-tokenizer.png', fullPage: true });
  await page.getByRole('button', { name: /Switch to (light|dark) theme/ }).click();
  await page.screenshot({ path: 'test-results/corpus-other-theme.png' });
});
