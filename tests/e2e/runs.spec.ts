// The Runs page on the real engine: run folders listed with status and best validation loss,
// two loss curves overlaid, one run opened (charts from metrics.jsonl), a stopped run resumed,
// the folder revealed (the browser shows its path) and a run deleted after confirmation.
import { existsSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { TestClient } from './bridge.ts';
import { openPage, startRunsBridge, TINY_OPTIONS, trainTinyRun, type RunsBridge } from './run-helpers.ts';

let env: RunsBridge;
let first: string;
let stopped: string;
test.beforeAll(async () => {
  env = await startRunsBridge('runs');
  first = await trainTinyRun(env.bridge, 'alpha', ['The cat sat on the mat'], 20);
  // A second run, stopped early: resumable.
  const client = await TestClient.connect(env.bridge);
  const reply = await client.request('run.start', { options: { ...TINY_OPTIONS, steps: 400, name: 'beta', sampleTokens: 0 } });
  const { runId, runDir } = reply.result as { runId: string; runDir: string };
  stopped = runDir;
  await client.next((m) => m.type === 'run.checkpoint' && m.runId === runId, 60_000);
  await client.request('run.stop', { runId });
  await client.next((m) => m.type === 'run.state' && m.runId === runId && m.state === 'stopped', 60_000);
  client.close();
});
test.afterAll(async () => {
  await env?.stop();
});

test('list, overlay, open, resume, reveal and delete runs', async ({ page }) => {
  test.setTimeout(90_000);
  await openPage(page, env.bridge.url, 'Runs');
  const table = page.getByTestId('runs-table');
  const alpha = table.locator('tr[data-run="alpha"]');
  const beta = table.locator('tr[data-run="beta"]');
  await expect(alpha).toContainText('finished');
  await expect(alpha).toContainText('20 / 20');
  await expect(alpha.locator('td').nth(6)).toHaveText(/^\d+\.\d{3}$/); // best validation loss
  await expect(beta).toContainText('stopped');

  await page.getByRole('checkbox', { name: 'Overlay alpha' }).check();
  await page.getByRole('checkbox', { name: 'Overlay beta' }).check();
  await expect(page.getByTestId('overlay-chart')).toHaveAttribute('data-lines', '4'); // train + val of each

  await page.getByRole('button', { name: 'Open alpha' }).click();
  const detail = page.getByTestId('run-detail');
  await expect(detail.getByTestId('train-charts')).toHaveAttribute('data-loss-points', '20');
  await expect(detail.getByTestId('samples').locator('li')).toHaveCount(3); // steps 0, 10, 20
  await detail.getByRole('button', { name: 'Reveal folder' }).click();
  await expect(detail.locator('.path code')).toHaveText(first);
  await page.screenshot({ path: 'test-results/runs-open.png', fullPage: true });
  // Its attention snapshots open in the explorer, at the last step.
  await detail.getByRole('button', { name: 'Attention over training (3 snapshots)' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Attention');
  await expect(page.getByTestId('attention-heatmap')).toHaveAttribute('data-step', '20');
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Runs', exact: true }).click();

  // Resume the stopped run: it becomes the active run and trains on.
  await page.getByRole('button', { name: 'Open beta' }).click();
  await detail.getByRole('button', { name: 'Resume training' }).click();
  await expect.poll(async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    return beta.textContent();
  }, { timeout: 30_000 }).toMatch(/running/);
  const client = await TestClient.connect(env.bridge);
  const status = (await client.request('run.status', {})).result as { active: { runId: string; runDir: string } };
  expect(status.active.runDir).toBe(stopped);
  await client.request('run.stop', { runId: status.active.runId });
  await client.next((m) => m.type === 'run.state' && m.state === 'stopped', 60_000);
  client.close();

  // Delete alpha, after confirming.
  await page.getByRole('button', { name: 'Open alpha' }).click();
  await detail.getByRole('button', { name: 'Delete…' }).click();
  await expect(page.getByRole('alertdialog')).toContainText('Delete alpha?');
  await page.getByRole('button', { name: 'Delete run' }).click();
  await expect(alpha).toHaveCount(0);
  expect(existsSync(first)).toBe(false);
  await page.screenshot({ path: 'test-results/runs-after-delete.png', fullPage: true });
});

test('an engine killed mid-run: the UI says so, the folder stays and resumes', async ({ page }) => {
  test.setTimeout(90_000);
  const client = await TestClient.connect(env.bridge);
  const reply = await client.request('run.start', { options: { ...TINY_OPTIONS, steps: 400, name: 'gamma', sampleTokens: 0 } });
  const { runId, runDir } = reply.result as { runId: string; runDir: string };
  await openPage(page, env.bridge.url, 'Train');
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  await client.next((m) => m.type === 'run.checkpoint' && m.runId === runId, 60_000);
  const pid = ((await client.request('host.status', {})).result as { pid: number }).pid;
  process.kill(pid, 'SIGKILL');
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'failed', { timeout: 30_000 });
  await expect(page.getByRole('alert').filter({ hasText: 'The engine stopped during this run' })).toBeVisible();
  await client.next((m) => m.type === 'host.state' && m.state === 'ready' && m.pid !== pid, 60_000);
  await page.screenshot({ path: 'test-results/runs-engine-killed.png', fullPage: true });

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Runs', exact: true }).click();
  const gamma = page.getByTestId('runs-table').locator('tr[data-run="gamma"]');
  await expect(gamma).toContainText(/interrupted|stopped/);
  await page.getByRole('button', { name: 'Open gamma' }).click();
  await page.getByTestId('run-detail').getByRole('button', { name: 'Resume training' }).click();
  const resumed = await client.next((m) => m.type === 'run.started' && m.runDir === runDir && m.resumed === true, 60_000);
  expect(resumed.startStep as number).toBeGreaterThanOrEqual(10);
  await client.request('run.stop', { runId: resumed.runId });
  await client.next((m) => m.type === 'run.state' && m.runId === resumed.runId && m.state === 'stopped', 60_000);
  client.close();
});
