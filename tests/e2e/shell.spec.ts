// The real round trip: the renderer in Chromium, through the bridge, shows what a real engine
// host process got from Dawn on a software Vulkan driver. Also saves a screenshot of the shell.
import { expect, test } from '@playwright/test';
import { startBridge, TestClient, type RunningBridge } from './bridge.ts';

let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
});

test('the shell shows the adapter reported by the engine host', async ({ page }) => {
  const consoleErrors: string[] = [];
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
  page.on('pageerror', (error) => consoleErrors.push(error.message));

  await page.goto(bridge.url);
  await expect(page.getByTestId('engine-state')).toContainText('Engine ready');

  // What Dawn reported in the host process, asked directly over the same bridge.
  const client = await TestClient.connect(bridge);
  const reply = await client.request('gpu.info', {});
  client.close();
  expect(reply.ok).toBe(true);
  const info = reply.result as { description: string; cpuFallback: boolean; driver: { label: string; icd?: string } };
  expect(info.description.length).toBeGreaterThan(0);

  const adapter = page.getByTestId('adapter');
  if (info.cpuFallback) {
    await expect(adapter).toContainText('CPU fallback');
    await expect(adapter).toContainText('will be slow');
    await expect(adapter).toContainText(info.driver.label);
  } else {
    await expect(adapter).toContainText(info.description);
  }

  // Device details, reached with the keyboard from the status bar's adapter button.
  await adapter.getByRole('button').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Train');
  const device = page.getByTestId('device-panel');
  await expect(device).toContainText(info.description);
  await expect(device).toContainText('maxStorageBuffersPerShaderStage');
  if (info.driver.icd) await expect(device).toContainText(info.driver.icd);

  expect(consoleErrors).toEqual([]);
});

test('every section is reachable by keyboard and has an accessible name; theme toggles', async ({ page }) => {
  await page.goto(bridge.url);
  const nav = page.getByRole('navigation', { name: 'Sections' });
  for (const name of ['Corpus', 'Model & objective', 'Train', 'Attention', 'Projector', 'Adapt', 'Runs', 'Tour']) {
    const button = nav.getByRole('button', { name, exact: true });
    await button.focus();
    await page.keyboard.press('Enter');
    await expect(button).toHaveAttribute('aria-current', 'page');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  }
  // Every button on the page has a name a screen reader can say.
  for (const button of await page.getByRole('button').all()) {
    expect((await button.getAttribute('aria-label')) ?? (await button.innerText())).not.toBe('');
  }
  const html = page.locator('html');
  const before = await html.getAttribute('data-theme');
  await page.getByRole('button', { name: /Switch to (light|dark) theme/ }).click();
  await expect(html).not.toHaveAttribute('data-theme', before ?? '');
  await page.reload();
  await expect(html).not.toHaveAttribute('data-theme', before ?? '');
});

test('the corpus page lists the built-in samples, or says they are not there yet', async ({ page }) => {
  await page.goto(bridge.url);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Corpus');
  const client = await TestClient.connect(bridge);
  const reply = await client.request('corpus.samples', {});
  client.close();
  const files = (reply.result as { files: { name: string }[] }).files;
  if (files.length === 0) {
    await expect(page.getByText('The built-in sample corpus is not here yet')).toBeVisible();
  } else {
    for (const file of files) await expect(page.getByRole('button', { name: `Preview ${file.name}`, exact: true })).toBeVisible();
  }
});

test('screenshot of the shell', async ({ page }) => {
  await page.goto(bridge.url);
  await expect(page.getByTestId('engine-state')).toContainText('Engine ready');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('device-panel')).toContainText('maxBufferSize');
  await page.screenshot({ path: 'test-results/shell.png' });
  await page.getByRole('button', { name: /Switch to (light|dark) theme/ }).click();
  await page.screenshot({ path: 'test-results/shell-other-theme.png' });
  await page.getByRole('button', { name: 'Corpus', exact: true }).click();
  await page.screenshot({ path: 'test-results/shell-corpus.png' });
});
