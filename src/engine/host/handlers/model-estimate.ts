import { assertFits, estimateMemory } from '../../model/memory.ts';
import { batchOf, layoutOf } from '../model/shape.ts';
import type { Handler } from './types.ts';

export const modelEstimate: Handler<'model.estimate'> = async (shape, host) => {
  let layout, batch;
  try {
    layout = layoutOf(shape);
    batch = batchOf(shape);
  } catch (error) {
    const invalid = error instanceof Error ? error.message : String(error);
    return { invalid, params: 0, paramBytes: 0, gradBytes: 0, adamBytes: 0, activationBytes: 0, totalBytes: 0, largestTensorName: '', largestTensorBytes: 0 };
  }
  const m = estimateMemory(layout, batch, { microSteps: shape.gradAccum }); // the run's layout (heads, frozen) and input staging
  let fitError: string | undefined;
  try {
    const { limits } = await host.gpu();
    assertFits(layout, batch, { maxBufferSize: limits.maxBufferSize, maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize });
  } catch (error) {
    fitError = error instanceof Error ? error.message : String(error);
  }
  return {
    params: m.params, paramBytes: m.paramBytes, gradBytes: m.gradBytes, adamBytes: m.adamBytes, activationBytes: m.activationBytes,
    totalBytes: m.totalBytes, largestTensorName: m.largestTensorName, largestTensorBytes: m.largestTensorBytes, ...(fitError ? { fitError } : {}),
  };
};
