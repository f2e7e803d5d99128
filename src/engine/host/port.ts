// The engine host's one channel to its supervisor. In the app it is a MessagePort that the main
// process handed to the engine window's worker (src/engine/host/worker.ts); under child_process.fork
// it is process.send / process.on('message'); under Electron's utilityProcess it is
// process.parentPort (messages arrive wrapped as { data }). Nothing here imports Electron.

export interface ParentPort {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  readonly kind: 'worker' | 'utility' | 'fork';
}

/** The part of a web MessagePort (a worker's end of Electron's MessageChannelMain) the host uses. */
export interface WebMessagePort {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  start(): void;
}

/** The engine worker's channel: the MessagePort it was given (messages arrive as { data }). */
export function workerParentPort(port: WebMessagePort): ParentPort {
  const listeners: ((message: unknown) => void)[] = [];
  port.addEventListener('message', (event) => {
    for (const listener of listeners) listener(event.data);
  });
  // A port with an event listener delivers nothing until started; messages sent before are queued.
  port.start();
  return { kind: 'worker', post: (message) => port.postMessage(message), onMessage: (listener) => listeners.push(listener) };
}

/**
 * What a worker host sends instead of exiting (a worker cannot end its process): the engine
 * window's launcher reads it as the host's exit, closes the window and reports `code`. Not a
 * protocol message: it never leaves the main process.
 */
export interface WorkerExit {
  type: 'engine.exit';
  code: number;
  reason?: string;
}

export function isWorkerExit(message: unknown): message is WorkerExit {
  const m = message as Partial<WorkerExit> | null;
  return typeof m === 'object' && m !== null && m.type === 'engine.exit' && typeof m.code === 'number';
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

export function connectToParent(): ParentPort {
  const utilityPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (utilityPort) {
    return {
      kind: 'utility',
      post: (message) => utilityPort.postMessage(message),
      onMessage: (listener) => utilityPort.on('message', (event) => listener(event.data)),
    };
  }
  const send = process.send?.bind(process);
  if (send) {
    return {
      kind: 'fork',
      post: (message) => {
        // The channel closes when the supervisor goes away; there is nobody left to tell.
        if (process.connected) send(message);
      },
      onMessage: (listener) => process.on('message', listener),
    };
  }
  throw new Error('The engine host must be started by the app (utilityProcess) or with child_process.fork.');
}
