// The engine window's preload: hands the two MessagePorts the main process sends (the engine
// channel and the control channel) to the page, which passes them to its worker. It exposes
// nothing to the page. (Its channel name is kept in sync with src/main/launch-engine-window.ts.)
import { ipcRenderer } from 'electron';

// Typed here because the preload's project has no DOM library (see tsconfig.node.json).
const page = globalThis as unknown as { postMessage(message: unknown, targetOrigin: string, transfer: unknown[]): void };

ipcRenderer.once('engine:connect', (event, settings: unknown) => {
  // '*': a file:// page has an opaque origin; the page checks that the message came from its own window.
  page.postMessage({ type: 'engine:connect', settings }, '*', event.ports);
});
