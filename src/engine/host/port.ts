// The engine host's one channel to its supervisor. Under Electron's utilityProcess it is
// process.parentPort (messages arrive wrapped as { data }); under child_process.fork it is
// process.send / process.on('message'). Nothing here imports Electron.

export interface ParentPort {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  readonly kind: 'utility' | 'fork';
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
