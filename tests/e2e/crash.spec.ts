// Kill the engine host while a command is in flight: the caller gets a HostExited error, the UI
// says the engine died and why, the supervisor restarts it, and the UI shows the new host ready.
import { expect, test } from '@playwright/test';
import { swiftshaderIcds } from '../../src/engine/gpu/drivers.ts';
import { startBridge, TestClient, type RunningBridge } from './bridge.ts';

let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
});

test('a host killed mid-command is reported in the UI and recovers after restart', async ({ page }) => {
  await page.goto(bridge.url);
  const state = page.getByTestId('engine-state');
  await expect(state).toContainText('Engine ready');

  const client = await TestClient.connect(bridge);
  const status = await client.request('host.status', {});
  const pid = (status.result as { pid: number }).pid;
  await expect(state).toContainText(`pid ${pid}`);

  // A command that takes 30 s, then the host is killed 300 ms into it.
  const inFlight = client.request('host.ping', { delayMs: 30_000 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  process.kill(pid, 'SIGKILL');

  const reply = await inFlight;
  expect(reply).toMatchObject({ ok: false, error: { name: 'HostExited' } });
  expect((reply.error as { message: string }).message).toMatch(/killed by SIGKILL while running host\.ping/);

  const notice = page.getByTestId('host-exit');
  await expect(notice).toContainText('Engine host killed by SIGKILL');
  // Restarted by the supervisor: a new pid, ready, adapter shown again, and the notice says so.
  await expect(state).toContainText('Engine ready');
  await expect(state).not.toContainText(`pid ${pid}`);
  await expect(notice).toContainText('restarted');
  await expect(page.getByTestId('adapter')).not.toBeEmpty();
  const ping = await client.request('host.ping', {});
  expect(ping).toMatchObject({ ok: true });
  expect((ping.result as { pid: number }).pid).not.toBe(pid);

  // The person can also restart the engine from the status bar.
  const newPid = (ping.result as { pid: number }).pid;
  await page.getByRole('button', { name: 'Restart engine' }).click();
  await expect(state).toContainText('Engine ready');
  await expect(state).not.toContainText(`pid ${newPid}`);
  await page.getByRole('button', { name: 'Dismiss engine notice' }).click();
  await expect(notice).toHaveCount(0);
  client.close();
});

test('the person can restart the engine on another software driver from the device panel', async ({ page }) => {
  const swiftshader = swiftshaderIcds()[0];
  test.skip(!swiftshader, 'SwiftShader (Chromium) is not installed');
  await page.goto(bridge.url);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const device = page.getByTestId('device-panel');
  await expect(device).toContainText('maxBufferSize');
  await page.getByLabel('Vulkan driver').selectOption('swiftshader');
  await page.getByRole('button', { name: 'Restart the engine with this driver' }).click();
  await expect(device).toContainText(swiftshader!);
  await expect(device).toContainText(/SwiftShader/i);
  await expect(page.getByTestId('adapter')).toContainText('CPU fallback (SwiftShader)');
  await expect(page.getByTestId('engine-state')).toContainText('Engine ready');
});
