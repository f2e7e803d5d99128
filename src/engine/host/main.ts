// Entry point of the engine host process: the one process that talks to the GPU. Started by the
// supervisor (src/main/supervisor.ts) with child_process.fork: `npm run serve` and the tests.
import { HOST_EXIT_CODES, isHostShutdown, toWireError } from '../../protocol/index.ts';
import { useDawn } from '../gpu/dawn.ts';
import { HostContext } from './context.ts';
import { dispatch } from './dispatch.ts';
import { connectToParent } from './port.ts';

// Headless hosts (serve, tests) run on Dawn's Node bindings; the app's engine runs in a worker on
// Electron's own WebGPU instead (src/engine/host/worker.ts).
useDawn();
const parent = connectToParent();
const host = new HostContext({ assetsDir: process.env.PRETRAIN_STUDIO_ASSETS || undefined }, (event) =>
  parent.post(event),
);

async function shutdown(): Promise<void> {
  await host.close();
  process.exit(0);
}

parent.onMessage((raw) => {
  if (isHostShutdown(raw)) {
    void shutdown();
    return;
  }
  void dispatch(raw, host).then((reply) => parent.post(reply));
});

// A bug that escapes a handler ends this process; the supervisor reports it and restarts us.
process.on('uncaughtException', (error) => {
  parent.post({ type: 'host.log', level: 'error', message: `Engine host crashed: ${toWireError(error).message}` });
  process.exit(HOST_EXIT_CODES.uncaught);
});

parent.post({ type: 'host.ready', pid: process.pid });
