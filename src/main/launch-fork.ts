// Starts the engine host with child_process.fork: the headless launcher (bridge, CLI, tests).
import { fork } from 'node:child_process';
import type { HostLauncher, HostProcess } from './host-process.ts';

/** `execArgv` lets tests run the TypeScript entry directly (['--import', 'tsx', '--import', './scripts/register-wgsl.mjs']). */
export function forkLauncher(execArgv: string[] = []): HostLauncher {
  return (entry, env): HostProcess => {
    // 'advanced' serialization is the structured clone: typed arrays cross without JSON.
    const child = fork(entry, [], { env, execArgv, serialization: 'advanced', stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    child.stdout?.resume();
    return {
      pid: child.pid,
      post: (message) => {
        if (child.connected) child.send(message as object);
      },
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => child.on('exit', (code, signal) => listener({ code, signal })),
      onStderr: (listener) => child.stderr?.on('data', (chunk: Buffer) => listener(chunk.toString())),
      kill: () => child.kill('SIGKILL'),
    };
  };
}
