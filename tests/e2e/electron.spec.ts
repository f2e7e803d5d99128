// Launches the real Electron app where its binary is installed (not on these build machines: npm ci
// runs with ELECTRON_SKIP_BINARY_DOWNLOAD=1) and checks the window's security settings, the typed
// preload API, the menu, and that the engine (in its hidden engine window) reports an adapter.
import { _electron as electron, expect, test } from '@playwright/test';
import { chooseVulkanDriverForTests } from '../vulkan-driver.ts';
import { electronBinary } from './electron-binary.ts';

test('the Electron app opens a locked-down window that reaches the engine', async () => {
  const binary = electronBinary();
  if (binary.skip) console.log(`Electron launch test SKIPPED: ${binary.skip}.`);
  test.skip(!binary.path, `Electron launch test skipped: ${binary.skip}`);

  chooseVulkanDriverForTests();
  const app = await electron.launch({ executablePath: binary.path, args: ['.'], env: { ...process.env } as Record<string, string> });
  try {
    const page = await app.firstWindow();
    await expect(page.getByTestId('engine-state')).toContainText('Engine ready', { timeout: 60_000 });
    await expect(page.getByTestId('adapter')).not.toBeEmpty();

    // getLastWebPreferences is not in Electron's typings, but it is what the window was made with.
    // The app window is the visible one (the engine's window is hidden).
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const window = BrowserWindow.getAllWindows().find((w) => w.isVisible())!;
      const contents = window.webContents as unknown as { getLastWebPreferences(): unknown };
      return contents.getLastWebPreferences();
    });
    expect(prefs).toMatchObject({ contextIsolation: true, nodeIntegration: false, sandbox: true });

    // Runs in the page (this file is typed for Node, hence the casts).
    const exposed = await page.evaluate(() => {
      const scope = globalThis as unknown as { require?: unknown; process?: unknown; studio?: object; open(url: string): unknown };
      return {
        require: typeof scope.require,
        process: typeof scope.process,
        studio: Object.keys(scope.studio ?? {}).sort(),
        opened: scope.open('https://example.com') === null,
      };
    });
    expect(exposed).toEqual({ require: 'undefined', process: 'undefined', studio: ['kind', 'onEvent', 'request'], opened: true });

    const menu = await app.evaluate(({ Menu }) => Menu.getApplicationMenu()?.items.map((item) => item.label) ?? []);
    expect(menu.join(' ')).toMatch(/Engine/);
    await page.screenshot({ path: 'test-results/electron-shell.png' });
  } finally {
    await app.close();
  }
});
