// One RunService per engine host (kept beside the HostContext, which knows nothing of runs).
import { resolve } from 'node:path';
import type { HostContext } from '../context.ts';
import { RunService } from './service.ts';

const services = new WeakMap<HostContext, RunService>();

/** Where run folders go: PRETRAIN_STUDIO_RUNS, else ./runs of the host's working directory. */
export function runsDirFromEnv(): string {
  return resolve(process.env.PRETRAIN_STUDIO_RUNS || 'runs');
}

export function runsOf(host: HostContext): RunService {
  let service = services.get(host);
  if (!service) {
    service = new RunService({ runsDir: runsDirFromEnv(), assetsDir: host.settings.assetsDir, gpu: () => host.gpu(), emit: host.emit });
    services.set(host, service);
  }
  return service;
}

export { RunService, type RunServiceOptions } from './service.ts';
