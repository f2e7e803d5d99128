// The hidden engine window's only script: start the engine worker and give it the port to the main
// process, so that no page thread ever waits on the GPU. The page has no Node and no API of its
// own; if the worker fails to load or crashes, it says so on the control port and the main process
// restarts the engine. (Message shapes: src/engine/host/worker.ts and port.ts's WorkerExit.)
const UNCAUGHT_EXIT_CODE = 70; // HOST_EXIT_CODES.uncaught in src/protocol

interface ConnectFromPreload {
  type: 'engine:connect';
  settings: { env: Record<string, string> };
}

function isConnect(data: unknown): data is ConnectFromPreload {
  const m = data as Partial<ConnectFromPreload> | null;
  return typeof m === 'object' && m !== null && m.type === 'engine:connect' && typeof m.settings?.env === 'object';
}

window.addEventListener('message', function connect(event: MessageEvent) {
  // Only the preload (same window) sends this, once, with [engine port, control port].
  if (event.source !== window || !isConnect(event.data) || event.ports.length !== 2) return;
  window.removeEventListener('message', connect);
  const [enginePort, control] = event.ports;
  // A classic worker: Electron's Node integration in workers provides require() to the bundle.
  const worker = new Worker(new URL('./engine-worker.js', location.href), { name: 'Pretrain Studio engine' });
  worker.addEventListener('error', (error) => {
    control.postMessage({ type: 'engine.exit', code: UNCAUGHT_EXIT_CODE, reason: `crashed in its worker: ${error.message || 'the engine worker failed to load'}` });
  });
  worker.postMessage({ type: 'engine.connect', env: event.data.settings.env }, [enginePort]);
});
