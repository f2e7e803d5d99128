// The command registry. To add a command: write its schema file next to these, add one line here,
// and add its handler (engine: src/engine/host/handlers/, app: src/main/app-handlers.ts). The
// types below make a missing handler a compile error.
import { corpusSamples } from './corpus-samples.ts';
import { gpuInfo } from './gpu-info.ts';
import { hostPing } from './host-ping.ts';
import { hostRestart } from './host-restart.ts';
import { hostStatus } from './host-status.ts';

export const commands = {
  'host.ping': hostPing,
  'host.status': hostStatus,
  'host.restart': hostRestart,
  'gpu.info': gpuInfo,
  'corpus.samples': corpusSamples,
} as const;
