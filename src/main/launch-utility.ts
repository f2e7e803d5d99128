// Starts the engine host as an Electron utilityProcess: the app's launcher.
import { utilityProcess } from 'electron';
import type { HostLauncher, HostProcess } from './host-process.ts';

export const utilityLauncher: HostLauncher = (entry, env): HostProcess => {
  const child = utilityProcess.fork(entry, [], { env, serviceName: 'Pretrain Studio engine', stdio: 'pipe' });
  child.stdout?.resume();
  let pid = child.pid;
  child.once('spawn', () => (pid = child.pid));
  return {
    get pid() {
      return pid;
    },
    post: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', listener),
    // utilityProcess reports only an exit code; a crash shows up as a non-zero code.
    onExit: (listener) => child.on('exit', (code) => listener({ code, signal: null })),
    onStderr: (listener) => child.stderr?.on('data', (chunk: Buffer) => listener(chunk.toString())),
    kill: () => child.kill(),
  };
};
