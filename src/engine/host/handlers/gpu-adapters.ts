import { adapterChoiceFromEnv, listAdapters } from '../../gpu/adapters.ts';
import { gpuInstance } from '../../gpu/device.ts';
import type { Handler } from './types.ts';

// Lists without opening a device, so it works while the chosen adapter is missing or failing.
export const gpuAdapters: Handler<'gpu.adapters'> = async () => ({
  adapters: await listAdapters(await gpuInstance()),
  choice: adapterChoiceFromEnv(),
});
