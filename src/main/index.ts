// Electron main process: the app window, the menu, the engine-host supervisor and the IPC router.
// It never does engine work itself: requests are passed to the engine (a worker in a hidden engine
// window, on Electron's own WebGPU) and answered later.
import { join } from 'node:path';
import { app, type BrowserWindow, ipcMain, Menu, shell } from 'electron';
import * as v from 'valibot';
import {
  adapterChoiceFromText,
  adapterChoiceToText,
  commands,
  replyError,
  wireError,
  type AdapterChoice,
  type AdapterSummary,
  type DriverChoice,
  type StudioEvent,
} from '../protocol/index.ts';
import { EngineLog } from './engine-log.ts';
import { chromiumGpuSetup } from './engine-window-policy.ts';
import { engineWindowLauncher } from './launch-engine-window.ts';
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
// The engine runs on Electron's WebGPU, whose GPU process starts once per launch: the driver is
// set here, as Chromium switches (and VK_ICD_FILENAMES for an ICD file), before the app is ready.
// An explicit PRETRAIN_STUDIO_VULKAN_ICD for this launch wins over the saved setting.
const startupDriver: DriverChoice = process.env.PRETRAIN_STUDIO_VULKAN_ICD ? 'auto' : settings.current.vulkanDriver;
const gpuSetup = chromiumGpuSetup(startupDriver);
// The adapter choice reaches the engine worker as PRETRAIN_STUDIO_ADAPTER (the launcher passes
// PRETRAIN_STUDIO_* on); one set for this launch wins over the saved setting, as for the driver.
const adapterFromEnv = Boolean(process.env.PRETRAIN_STUDIO_ADAPTER);
if (!adapterFromEnv) process.env.PRETRAIN_STUDIO_ADAPTER = adapterChoiceToText(settings.current.adapter);
// Electron's logs folder: userData/logs on Linux and Windows, ~/Library/Logs/<app> on macOS.
const engineLog = new EngineLog(app.getPath('logs'));
engineLog.write('info', `${app.getName()} ${app.getVersion()} started (Electron ${process.versions.electron}, adapter ${process.env.PRETRAIN_STUDIO_ADAPTER})`);
for (const [name, value] of gpuSetup.switches) app.commandLine.appendSwitch(name, value);
Object.assign(process.env, gpuSetup.env);
const supervisor = new EngineSupervisor({
  entry: paths.engineWindowPage,
  launcher: engineWindowLauncher({ page: paths.engineWindowPage, preload: paths.engineWindowPreload }),
  assetsDir: paths.assetsDir,
  // One candidate: the driver this launch's GPU process has; another needs a relaunch (below).
  plan: [gpuSetup.candidate],
  onOutput: (line) => engineLog.write('output', line),
});
const rememberDriver = (driver: DriverChoice) => {
  settings.update({ vulkanDriver: driver });
  if (driver !== startupDriver && !process.env.PRETRAIN_STUDIO_VULKAN_ICD) {
    // Chromium picks its GPU driver at launch only: start the app again with the new one.
    app.relaunch();
    app.quit();
  }
};
/** The app's own windows (the hidden engine window is not one: it gets no events and does not keep the app open). */
const appWindows = new Set<BrowserWindow>();

function openAppWindow(): void {
  const window = createMainWindow(paths);
  appWindows.add(window);
  window.on('closed', () => {
    appWindows.delete(window);
    if (appWindows.size === 0 && process.platform !== 'darwin') app.quit();
  });
}
const revealPath = (path: string) => (shell.showItemInFolder(path), true);

/** The Engine menu's adapter list: filled from gpu.adapters once the engine is up (validated: it crossed a process boundary). */
let adapterList: AdapterSummary[] | undefined;
function refreshMenu(): void {
  const fromEnv = adapterFromEnv ? adapterChoiceFromText(process.env.PRETRAIN_STUDIO_ADAPTER) : undefined;
  const current: AdapterChoice = fromEnv?.success ? fromEnv.output : settings.current.adapter;
  Menu.setApplicationMenu(
    buildMenu(
      {
        send: broadcast,
        restartEngine: (driver) => {
          if (driver) rememberDriver(driver);
          void supervisor.restart(driver).then(loadAdapters);
        },
        chooseAdapter,
        openEngineLog: () => {
          engineLog.write('info', 'Log opened from the Engine menu.');
          void shell.openPath(engineLog.path).then((error) => {
            if (error) broadcast({ type: 'host.log', level: 'warn', message: `Could not open the engine log ${engineLog.path}: ${error}` });
          });
        },
      },
      { adapters: adapterList, current },
    ),
  );
}
async function loadAdapters(): Promise<void> {
  const outcome = await supervisor.request('gpu.adapters', {});
  const parsed = outcome.ok ? v.safeParse(commands['gpu.adapters'].result, outcome.result) : undefined;
  adapterList = parsed?.success ? parsed.output.adapters : [];
  if (!outcome.ok) engineLog.write('warn', `Listing GPU adapters failed: ${outcome.error.message}`);
  refreshMenu();
}
function chooseAdapter(choice: AdapterChoice): void {
  settings.update({ adapter: choice });
  process.env.PRETRAIN_STUDIO_ADAPTER = adapterChoiceToText(choice);
  engineLog.write('info', `GPU adapter chosen: ${adapterChoiceToText(choice)}; restarting the engine.`);
  refreshMenu();
  void supervisor.restart().then(loadAdapters);
}
const route = createRouter(supervisor, appHandlers(supervisor, { onDriverChosen: rememberDriver, revealPath }));

function broadcast(event: StudioEvent): void {
  for (const window of appWindows) window.webContents.send(EVENT_CHANNEL, event);
}

// A second launch focuses the first window instead of starting a second engine.
const firstInstance = app.requestSingleInstanceLock();
if (!firstInstance) app.quit();

app.on('second-instance', () => {
  const [window] = appWindows;
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
  supervisor.onEvent((event) => {
    if (event.type === 'host.log' && event.level !== 'debug') engineLog.write(event.level, event.message);
    if (event.type === 'host.state') {
      const details = [event.driver, event.pid ? `pid ${event.pid}` : '', event.reason].filter(Boolean).join('; ');
      engineLog.write('info', `Engine ${event.state}${details ? ` (${details})` : ''}`);
    }
  });
  refreshMenu();
  openAppWindow();
  void supervisor.start().then(() => {
    if (gpuSetup.warning) {
      engineLog.write('warn', gpuSetup.warning);
      broadcast({ type: 'host.log', level: 'warn', message: gpuSetup.warning });
    }
    return loadAdapters();
  });
  app.on('activate', () => {
    if (appWindows.size === 0) openAppWindow();
  });
});

// The hidden engine window outlives the app windows, so quitting follows the app windows (above);
// this covers the engine window closing last.
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
