// Building a decoder from what is on disk: a checkpoint's model.safetensors (Hugging Face GPT-2
// names and layout) and the ModelConfig the run was trained with.
import type { GpuContext } from '../gpu/device';
import { readSafetensors } from '../io/safetensors';
import type { ModelConfig } from '../model/config';
import { KvDecoder, type KvDecoderOptions } from './kv-decoder';
import { uploadWeights } from './weights';

/** Reads `modelPath` (safetensors) and returns a decoder that owns the uploaded weights. */
export function loadDecoder(ctx: GpuContext, config: ModelConfig, modelPath: string, options: KvDecoderOptions = {}): KvDecoder {
  const file = readSafetensors(modelPath);
  const arrays = new Map<string, Float32Array>();
  for (const [name, t] of file.tensors) {
    if (!(t.data instanceof Float32Array)) throw new Error(`${modelPath}: parameter '${name}' is ${t.dtype}, expected a float type`);
    arrays.set(name, t.data);
  }
  const weights = uploadWeights(ctx, config, arrays);
  try {
    return new KvDecoder(ctx, weights, { ...options, ownsWeights: true });
  } catch (err) {
    weights.destroy();
    throw err;
  }
}
