// Launches the real Electron app where its binary is installed (not on these build machines: npm ci
// runs with ELECTRON_SKIP_BINARY_DOWNLOAD=1) and checks the window's security settings, the typed
// preload API, the menu, and that the engine host (a utilityProcess) reports an adapter.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { chooseVulkanDriverForTests } from '../vulkan-driver.ts';

function electronBinary(): { path?: string; skip?: string } {
  const pathFile = join('node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) {
    return { skip: 'the Electron binary is not installed (npm ci ran with ELECTRON_SKIP_BINARY_DOWNLOAD=1); run `npm ci` without it to enable this test' };
  }
  const path = join('node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(path)) return { skip: `the Electron binary is missing at ${path}` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { skip: 'no display: run the e2e tests under `xvfb-run -a` to include the Electron launch test' };
  }
  return { path };
}

test('the Electron app opens a locked-down window that reaches the engine', async () => {
  const binary = electronBinary();
  if (binary.skip) console.log(`Electron launch test SKIPPED: ${binary.skip}.`);
  test.skip(!binary.path, `Electron launch test skipped: ${binary.skip}`);

  chooseVulkanDriverForTests();
  const app = await electron.launch({ executablePath: binary.path, args: ['.'], env: { ...process.env } as Record<string, string> });
  try {
    const window = await app.firstWindow();
    await expect(window.getByTestId('engine-state')).toContainText('Engine ready', { timeout: 60_000 });
    await expect(window.getByTestId('adapter')).not.toBeEmpty();

    const prefs = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0].webContents.getLastWebPreferences());
    expect(prefs).toMatchObject({ contextIsolation: true, nodeIntegration: false, sandbox: true });

    const exposed = await window.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      studio: Object.keys(window.studio ?? {}).sort(),
      opened: window.open('https://example.com') === null,
    }));
    expect(exposed).toEqual({ require: 'undefined', process: 'undefined', studio: ['kind', 'onEvent', 'request'], opened: true });

    const menu = await app.evaluate(({ Menu }) => Menu.getApplicationMenu()?.items.map((item) => item.label) ?? []);
    expect(menu.join(' ')).toMatch(/Engine/);
    await window.screenshot({ path: 'test-results/electron-shell.png' });
  } finally {
    await app.close();
  }
});
