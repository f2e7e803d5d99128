// Starts the engine host in the app: a hidden window owned by the main process whose page only
// starts a dedicated Worker running src/engine/host/worker.ts on Electron's own WebGPU. (Dawn's Node
// bindings, which a utilityProcess would use, cannot read GPU results inside Electron: V8's memory
// cage rejects the external ArrayBuffers their getMappedRange() returns.)
//   - the window: never shown, no navigation, no new windows, no webviews, no permissions; its own
//     in-memory session that loads nothing but the files of out/engine-window/; the page has
//     contextIsolation, no Node and a strict CSP. Node integration is on for its workers only
//     (nodeIntegrationInWorker, which needs sandbox off): the engine needs node:fs for run folders.
//   - the channel: a MessageChannelMain; one end stays here, the other goes through the window's
//     preload and page to the worker. A second port reports a worker that failed to start or crashed.
//   - exits: the worker's exit notice (shutdown, device lost, uncaught error), the window's process
//     gone, its page failing to load, or kill(); each ends the window once and is reported to the
//     supervisor, which restarts the host. The app window and the run folders are not touched.
import { pathToFileURL } from 'node:url';
import { BrowserWindow, MessageChannelMain, session, type MessagePortMain } from 'electron';
import { isWorkerExit } from '../engine/host/port.ts';
import { isEngineWindowUrl } from './engine-window-policy.ts';
import type { HostExit, HostLauncher, HostProcess } from './host-process.ts';

/** IPC channel on which the engine window's preload receives the two ports (kept in sync with src/preload/engine-window.ts). */
export const ENGINE_CONNECT_CHANNEL = 'engine:connect';
/** The engine window's session partition (no 'persist:': nothing of it is written to disk). */
const PARTITION = 'engine-window';

export interface EngineWindowFiles {
  /** out/engine-window/index.html */
  page: string;
  /** out/preload/engine-window.cjs */
  preload: string;
}

/** The settings a worker host reads from its environment (run folder, assets): nothing else crosses. */
function hostEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => key.startsWith('PRETRAIN_STUDIO_')));
}

function lockDownSession(dirUrl: string): void {
  const ses = session.fromPartition(PARTITION);
  // Registered once per session: a second call would replace the first with the same rule anyway.
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isEngineWindowUrl(details.url, dirUrl) }));
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
}

export function engineWindowLauncher(files: EngineWindowFiles): HostLauncher {
  const pageUrl = pathToFileURL(files.page).href;
  const dirUrl = new URL('./', pageUrl).href;
  let sessionReady = false;

  return (_entry, env): HostProcess => {
    if (!sessionReady) {
      lockDownSession(dirUrl);
      sessionReady = true;
    }
    const window = new BrowserWindow({
      show: false,
      title: 'Pretrain Studio engine',
      webPreferences: {
        preload: files.preload,
        partition: PARTITION,
        contextIsolation: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: true,
        // Electron gives workers Node only in an unsandboxed renderer; the page itself still has none.
        sandbox: false,
        webSecurity: true,
        spellcheck: false,
        // Hidden windows are throttled by default; the engine's timers must keep running.
        backgroundThrottling: false,
      },
    });
    const contents = window.webContents;
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());

    const engine = new MessageChannelMain();
    const control = new MessageChannelMain();
    const messageListeners: ((message: unknown) => void)[] = [];
    const exitListeners: ((exit: HostExit) => void)[] = [];
    const stderrListeners: ((text: string) => void)[] = [];
    let exited: HostExit | undefined;
    let pid: number | undefined;

    const finish = (exit: HostExit) => {
      if (exited) return;
      exited = exit;
      engine.port1.close();
      control.port1.close();
      if (!window.isDestroyed()) window.destroy();
      for (const listener of exitListeners) listener(exit);
    };
    const onPortMessage = (port: MessagePortMain, deliver: boolean) => {
      port.on('message', ({ data }) => {
        if (isWorkerExit(data)) finish({ code: data.code, signal: null, reason: data.reason });
        else if (deliver) for (const listener of messageListeners) listener(data);
      });
      port.start();
    };
    onPortMessage(engine.port1, true);
    onPortMessage(control.port1, false);

    contents.on('render-process-gone', (_event, details) => {
      finish({ code: details.exitCode, signal: null, reason: `lost its window's process (${details.reason}, code ${details.exitCode})` });
    });
    contents.on('did-fail-load', (_event, code, description, url, isMainFrame) => {
      if (isMainFrame) finish({ code: null, signal: null, reason: `could not load its page ${url} (${description}, ${code})` });
    });
    contents.on('console-message', (event) => {
      if (event.level === 'warning' || event.level === 'error') for (const listener of stderrListeners) listener(`${event.message}\n`);
    });
    window.on('closed', () => finish({ code: null, signal: null, reason: 'lost its window (closed)' }));
    contents.once('did-finish-load', () => {
      pid = contents.getOSProcessId();
      contents.postMessage(ENGINE_CONNECT_CHANNEL, { env: hostEnv(env) }, [engine.port2, control.port2]);
    });
    void window.loadURL(pageUrl).catch(() => {
      // did-fail-load has already said why.
    });

    return {
      get pid() {
        return pid;
      },
      post: (message) => {
        if (!exited) engine.port1.postMessage(message);
      },
      onMessage: (listener) => messageListeners.push(listener),
      onExit: (listener) => exitListeners.push(listener),
      onStderr: (listener) => stderrListeners.push(listener),
      kill: () => finish({ code: null, signal: 'SIGKILL' }),
    };
  };
}
