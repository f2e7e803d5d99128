import { wireError } from '../../../protocol/index.ts';
import { gpuInfoOf, missingDriverAdvice } from '../../gpu/drivers.ts';
import type { Handler } from './types.ts';

export const gpuInfo: Handler<'gpu.info'> = async (_params, host) => {
  try {
    return gpuInfoOf(await host.gpu());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const noAdapter = /no webgpu adapter/i.test(reason);
    const driver = process.env.VK_ICD_FILENAMES ?? "the system's Vulkan drivers";
    const message = noAdapter ? `${missingDriverAdvice()} (tried: ${driver})` : `Opening the GPU failed with ${driver}: ${reason}`;
    throw Object.assign(new Error(message), { name: noAdapter ? wireError('NoAdapter', '').name : 'GpuError' });
  }
};
