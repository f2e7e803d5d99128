// The Model & objective page on the real engine host: objective cards from the engine's registry,
// each objective's batch built from a dropped file's text by its own collator, the engine's estimate and validation, and a
// measured time per step on this adapter.
import { expect, test } from '@playwright/test';
import { TestClient, type RunningBridge } from './bridge.ts';
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

// Chip labels show whitespace as visible marks.
const unshow = (label: string) => label.replaceAll('␣', ' ').replaceAll('↵', '\n').replaceAll('⇥', '\t');

const TEXT = Array.from({ length: 30 }, (_, i) => `Line ${i} of the quokka ledger: quokkas hop ${i % 7} times at dawn. They rest at noon.`).join('\n\n') + '\n';

test('the causal-LM preview is a real batch of the dropped text, targets shifted by one', async ({ page }) => {
  await page.goto(bridge.url);
  const files = page.getByTestId('corpus-file');
  await expect(files.filter({ hasText: 'sample-en.txt' })).toContainText('ok');
  // Only the dropped file: remove the samples.
  for (const name of ['sample-en.txt', 'sample-zh.txt', 'sample-reviews.tsv', 'sample-reviews-zh.csv']) {
    await page.getByRole('button', { name: `Remove ${name}` }).click();
  }
  await expect(files).toHaveCount(0);
  await dropFiles(page, [{ name: 'quokka.txt', text: TEXT }]);
  await expect(files.filter({ hasText: 'quokka.txt' })).toContainText('30 documents');

  await page.getByRole('button', { name: 'Model & objective', exact: true }).click();
  // Objective cards follow what the trainer answers.
  const client = await TestClient.connect(bridge);
  const reply = await client.request('model.objectives', {});
  client.close();
  const objectives = (reply.result as { objectives: { id: string; available: boolean }[] }).objectives;
  expect(objectives.find((o) => o.id === 'clm')?.available).toBe(true);
  for (const o of objectives) {
    const radio = page.getByTestId(`objective-${o.id}`).getByRole('radio');
    if (o.available) await expect(radio).toBeEnabled();
    else {
      await expect(radio).toBeDisabled();
      await expect(page.getByTestId(`objective-${o.id}`)).toContainText('Not available yet');
    }
  }
  await expect(page.getByTestId('objective-clm').getByRole('radio')).toBeChecked();

  const preview = page.getByTestId('batch-preview');
  await expect(preview.locator('.example')).toHaveCount(2);
  for (const example of await preview.locator('.example').all()) {
    const inputs = (await example.locator('tr.inputs .chip .text').allInnerTexts()).map(unshow);
    const targets = (await example.locator('tr.targets .chip .text').allInnerTexts()).map(unshow);
    expect(inputs.length).toBeGreaterThan(8);
    expect(targets.length).toBe(inputs.length);
    // Next-token targets: the input sequence shifted left by one.
    expect(targets.slice(0, -1)).toEqual(inputs.slice(1));
    // Every piece between document separators comes from the dropped text.
    for (const piece of [...inputs, targets.at(-1)!].join('').split('\n\n')) expect(TEXT).toContain(piece);
  }
  await page.screenshot({ path: 'test-results/model-preview.png' });

  // BERT (masked LM + NSP): [CLS] A [SEP] B [SEP] with predicted positions marked and the original under each.
  await page.getByTestId('objective-mlm+nsp').getByRole('radio').check();
  const example = preview.locator('.example[data-kind="mlm"]').first();
  await expect(example).toBeVisible();
  await expect(example).toContainText('next sentence:');
  const inputs = await example.locator('tr.inputs .chip .text').allInnerTexts();
  expect(inputs[0]).toBe('[CLS]');
  expect(inputs.filter((t) => t === '[SEP]').length).toBe(2);
  const marked = example.locator('tr.inputs .chip[data-mark]');
  expect(await marked.count()).toBeGreaterThan(0);
  // 80% of the predicted words become [MASK]: over the rows shown, some do (a short row may have only a random or kept one).
  await expect(preview.locator('.example[data-kind="mlm"] tr.inputs .chip[data-mark="mask"] .text').first()).toHaveText('[MASK]');
  await page.screenshot({ path: 'test-results/model-preview-mlm.png' });

  // Masked LM alone: one segment, no next-sentence label.
  await page.getByTestId('objective-mlm').getByRole('radio').check();
  await expect(preview.locator('.example[data-kind="mlm"]').first()).not.toContainText('next sentence:');
  const single = await preview.locator('.example[data-kind="mlm"]').first().locator('tr.inputs .chip .text').allInnerTexts();
  expect(single.filter((t) => t === '[SEP]').length).toBe(1);

  // BART: the encoder's input with spans behind [MASK], the decoder's target the whole text.
  await page.getByTestId('objective-bart').getByRole('radio').check();
  const denoise = preview.locator('.example[data-kind="denoise"]').first();
  await expect(denoise).toBeVisible();
  await expect(denoise.locator('.inputs .chip[data-mark="mask"] .text').first()).toHaveText('[MASK]');
  const target = (await denoise.locator('.targets .chip .text').allInnerTexts()).map(unshow);
  expect(target.at(-1)).toBe('[SEP]');
  for (const piece of target.slice(0, -1).join('').split('\n\n')) expect(TEXT).toContain(piece);
  await page.screenshot({ path: 'test-results/model-preview-bart.png' });
});

test('presets, validation, estimate and a measured step time', async ({ page }) => {
  // The measurement compiles and runs real steps; a loaded 2-core CI machine has taken over 45 s.
  test.setTimeout(180_000);
  await page.goto(bridge.url);
  await page.getByRole('button', { name: 'Model & objective', exact: true }).click();
  await page.getByRole('button', { name: 'tiny', exact: true }).click();
  const params = page.getByTestId('param-count');
  await expect(params).not.toBeEmpty();
  const tiny = await params.innerText();

  // A custom shape the engine refuses: width not divisible by heads.
  await page.getByLabel('Heads').fill('3');
  await expect(page.getByText('Must be divisible by the 3 heads.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'custom', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await page.getByLabel('Heads').fill('2');
  await page.getByLabel('Layers').fill('3');
  await expect(params).not.toHaveText(tiny);
  await page.getByLabel('Learning rate', { exact: true }).fill('0');
  await expect(page.getByText('Must be above 0.')).toBeVisible();
  await page.getByLabel('Learning rate', { exact: true }).fill('0.001');

  await page.getByRole('button', { name: 'Measure time per step' }).click();
  await expect(page.getByTestId('measured')).toContainText('ms/step', { timeout: 120_000 });
  await expect(page.getByTestId('measured')).toContainText('tokens/s');
  await page.screenshot({ path: 'test-results/model-size.png', fullPage: true });
  await page.getByRole('button', { name: /Switch to (light|dark) theme/ }).click();
  await page.getByRole('heading', { name: 'As the model sees it' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/model-other-theme.png' });
});
