// Engine command handlers, one file each. `satisfies` makes a command without a handler (or a
// handler of the wrong shape) a compile error.
import { corpusSamples } from './corpus-samples.ts';
import { gpuInfo } from './gpu-info.ts';
import { hostPing } from './host-ping.ts';
import type { EngineHandlers } from './types.ts';

export const handlers = {
  'host.ping': hostPing,
  'gpu.info': gpuInfo,
  'corpus.samples': corpusSamples,
} satisfies EngineHandlers;
