// The app window, locked down: isolated, sandboxed, no Node in the page, no new windows, no
// navigation away from the app, no permission prompts. The CSP itself is in index.html.
import { BrowserWindow, session, shell } from 'electron';
import { join } from 'node:path';
import type { BuiltPaths } from './paths.ts';

export function createMainWindow(paths: BuiltPaths): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Pretrain Studio',
    backgroundColor: '#16181d',
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());

  const devUrl = process.env.ELECTRON_RENDERER_URL;
  window.webContents.setWindowOpenHandler(({ url }) => {
    // Links to the web open in the person's browser, never inside the app.
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  // The app is one page: it never navigates (reloads do not pass through here).
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));

  if (devUrl) void window.loadURL(devUrl);
  else void window.loadFile(join(paths.rendererDir, 'index.html'));
  return window;
}

export function isAppFrame(url: string | undefined): boolean {
  if (!url) return false;
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  return devUrl ? url.startsWith(devUrl) : url.startsWith('file://');
}
