// Entry point of the engine in the desktop app: a dedicated Worker in the main process's hidden
// engine window (src/main/launch-engine-window.ts), on Electron's own WebGPU (navigator.gpu:
// Chromium's Dawn, whose buffer mappings live inside V8's memory cage, unlike the Node bindings').
// The window's Node integration is for workers only, so this worker has node:fs for run folders
// and corpora while the page that started it has none. The main process's MessagePort arrives
// with the first message; from then on the host speaks the same protocol as src/engine/host/main.ts.
import { HOST_EXIT_CODES, isHostShutdown, toWireError } from '../../protocol/index.ts';
import { HostContext } from './context.ts';
import { dispatch } from './dispatch.ts';
import { type ParentPort, type WebMessagePort, type WorkerExit, workerParentPort } from './port.ts';

/** The page's first message: the port to main, and the PRETRAIN_STUDIO_* settings the host reads. */
interface ConnectMessage {
  type: 'engine.connect';
  env: Record<string, string>;
}

interface WorkerScope {
  onmessage: ((event: { data: unknown; ports: readonly WebMessagePort[] }) => void) | null;
  addEventListener(type: 'error', listener: (event: { message: string; preventDefault(): void }) => void): void;
  addEventListener(type: 'unhandledrejection', listener: (event: { reason: unknown; preventDefault(): void }) => void): void;
  close(): void;
}

const scope = globalThis as unknown as WorkerScope;

function isConnect(data: unknown): data is ConnectMessage {
  const m = data as Partial<ConnectMessage> | null;
  return typeof m === 'object' && m !== null && m.type === 'engine.connect' && typeof m.env === 'object' && m.env !== null;
}

function start(parent: ParentPort, env: Record<string, string>): void {
  // The host reads its settings (PRETRAIN_STUDIO_RUNS, …) from process.env, as a forked host does.
  for (const [key, value] of Object.entries(env)) if (key.startsWith('PRETRAIN_STUDIO_')) process.env[key] = value;
  let exiting = false;
  const exit = (code: number, reason?: string) => {
    if (exiting) return;
    exiting = true;
    const notice: WorkerExit = reason ? { type: 'engine.exit', code, reason } : { type: 'engine.exit', code };
    parent.post(notice);
    scope.close();
  };
  const host = new HostContext({ assetsDir: env.PRETRAIN_STUDIO_ASSETS || undefined }, (event) => parent.post(event), exit);

  parent.onMessage((raw) => {
    if (isHostShutdown(raw)) {
      void host.close().finally(() => exit(0));
      return;
    }
    void dispatch(raw, host).then((reply) => parent.post(reply));
  });

  // A bug that escapes a handler ends this host; the launcher reports it and the supervisor restarts us.
  const crash = (error: unknown) => {
    const message = `Engine host crashed: ${toWireError(error).message}`;
    parent.post({ type: 'host.log', level: 'error', message });
    exit(HOST_EXIT_CODES.uncaught, message);
  };
  scope.addEventListener('error', (event) => crash(new Error(event.message)));
  scope.addEventListener('unhandledrejection', (event) => crash(event.reason));

  parent.post({ type: 'host.ready', pid: process.pid });
}

scope.onmessage = (event) => {
  const [port] = event.ports;
  if (!isConnect(event.data) || !port) return;
  scope.onmessage = null;
  start(workerParentPort(port), event.data.env);
};
