// Electron main process: one window, the menu, the engine-host supervisor and the IPC router.
// It never does engine work itself: requests are passed to the host process and answered later.
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, Menu, shell } from 'electron';
import { replyError, wireError, type DriverChoice, type StudioEvent } from '../protocol/index.ts';
import { utilityLauncher } from './launch-utility.ts';
import { buildMenu } from './menu.ts';
import { builtPaths } from './paths.ts';
import { appHandlers, createRouter } from './router.ts';
import { SettingsFile } from './settings.ts';
import { EngineSupervisor } from './supervisor.ts';
import { createMainWindow, isAppFrame } from './window.ts';

/** IPC channel names: the preload uses exactly these two, nothing else. */
export const REQUEST_CHANNEL = 'studio:request';
export const EVENT_CHANNEL = 'studio:event';

const paths = builtPaths(import.meta.url);
// Run folders live in the person's documents unless PRETRAIN_STUDIO_RUNS says otherwise (the host reads it).
process.env.PRETRAIN_STUDIO_RUNS ??= join(app.getPath('documents'), 'Pretrain Studio', 'runs');
const settings = new SettingsFile(app.getPath('userData'));
// An explicit PRETRAIN_STUDIO_VULKAN_ICD for this launch wins over the saved setting.
const supervisor = new EngineSupervisor({
  entry: paths.hostEntry,
  launcher: utilityLauncher,
  assetsDir: paths.assetsDir,
  driver: process.env.PRETRAIN_STUDIO_VULKAN_ICD ? undefined : settings.current.vulkanDriver,
});
const rememberDriver = (driver: DriverChoice) => settings.update({ vulkanDriver: driver });
const revealPath = (path: string) => (shell.showItemInFolder(path), true);
const route = createRouter(supervisor, appHandlers(supervisor, { onDriverChosen: rememberDriver, revealPath }));

function broadcast(event: StudioEvent): void {
  for (const window of BrowserWindow.getAllWindows()) window.webContents.send(EVENT_CHANNEL, event);
}

// A second launch focuses the first window instead of starting a second engine.
const firstInstance = app.requestSingleInstanceLock();
if (!firstInstance) app.quit();

app.on('second-instance', () => {
  const [window] = BrowserWindow.getAllWindows();
  if (window) {
    if (window.isMinimized()) window.restore();
    window.focus();
  }
});

void app.whenReady().then(() => {
  if (!firstInstance) return;
  // Only our own page may talk to the engine.
  ipcMain.handle(REQUEST_CHANNEL, (event, raw: unknown) => {
    if (!isAppFrame(event.senderFrame?.url)) {
      return replyError('', wireError('Unauthorized', 'Requests are accepted from the app window only.'));
    }
    return route(raw);
  });
  supervisor.onEvent(broadcast);
  Menu.setApplicationMenu(
    buildMenu({
      send: broadcast,
      restartEngine: (driver) => {
        if (driver) rememberDriver(driver);
        void supervisor.restart(driver);
      },
    }),
  );
  createMainWindow(paths);
  void supervisor.start();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow(paths);
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting) return;
  quitting = true;
  event.preventDefault();
  void supervisor.stop(3_000).finally(() => app.quit());
});
