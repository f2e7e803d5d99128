// An objective chosen on the Model page trains from the Train page through the engine's registry:
// BART denoising on the built-in sample corpus, with its own charts (named by its registry entry),
// its run facts, and no text samples.
import { expect, test } from '@playwright/test';
import { openPage, startRunsBridge, type RunsBridge } from './run-helpers.ts';

let env: RunsBridge;
test.beforeAll(async () => {
  env = await startRunsBridge('objectives');
});
test.afterAll(async () => {
  await env?.stop();
});

test('BART chosen on the Model page trains with the charts its registry entry names', async ({ page }) => {
  test.setTimeout(120_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await openPage(page, env.bridge.url, 'Model & objective');
  await page.getByTestId('objective-bart').getByRole('radio').check();

  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByText('Settings for a new run').click();
  for (const [label, value] of [['Layers', '1'], ['Heads', '2'], ['Width', '32'], ['Context', '32'], ['Batch size', '4'], ['Steps', '40'], ['Evaluate every', '10']]) {
    await page.getByLabel(label, { exact: true }).fill(value);
  }
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', /running|finished/, { timeout: 60_000 });
  await expect.poll(async () => Number(await page.getByTestId('train-charts').getAttribute('data-loss-points')), { timeout: 60_000 }).toBeGreaterThan(3);

  await expect(page.getByLabel('Run facts')).toContainText('Denoising (BART)');
  const charts = page.getByTestId('train-charts');
  await expect(charts.getByRole('img', { name: /^Loss chart: .*train loss \(reconstruction\)/ })).toBeVisible();
  await expect(charts.getByRole('img', { name: /^Accuracy chart: .*reconstructed-token accuracy/ })).toBeVisible();
  // BART reconstructs fixed corrupted probes at each evaluation (objectives/bart.ts).
  await expect(page.getByTestId('samples')).toContainText('[MASK]');
  await expect(page.getByTestId('samples')).toContainText('step 10');
  await page.screenshot({ path: 'test-results/train-bart.png', fullPage: true });
  if (await page.getByRole('button', { name: 'Stop' }).isVisible()) await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', /stopped|finished/, { timeout: 60_000 });
  expect(errors).toEqual([]);
});
