// What the decoder reads its parameters from: a lookup of GPU tensors by Hugging Face GPT-2 name
// (`transformer.wte.weight`, `transformer.h.0.attn.c_attn.weight` in Conv1D [in, out] layout …).
// Three ways to get one: views into the engine's flat parameter buffer (the model being trained),
// a map of tensors, or host arrays (a checkpoint's model.safetensors) uploaded into one buffer.
import type { GpuContext } from '../gpu/device';
import { Tensor } from '../gpu/tensor';
import type { ModelConfig } from '../model/config';
import { buildParamLayout, type ParamLayout } from '../model/params';

export interface DecoderWeights {
  config: ModelConfig;
  /** The tensor named `name`, or null if this model has none (biases when config.bias is false). */
  get(name: string): Tensor | null;
  /** Frees what this object allocated (nothing for views into someone else's buffer). */
  destroy(): void;
}

/** Views into a flat parameter buffer laid out by `buildParamLayout` (the training engine's). */
export function weightsFromFlat(ctx: GpuContext, layout: ParamLayout, params: Tensor | GPUBuffer): DecoderWeights {
  const buffer = params instanceof Tensor ? params.buffer : params;
  const base = params instanceof Tensor ? params.byteOffset : 0;
  return {
    config: layout.config,
    get(name) {
      let part;
      try {
        part = layout.part(name);
      } catch {
        return null;
      }
      const byteOffset = base + part.offset * 4;
      if (byteOffset % 256 !== 0) throw new Error(`decoder weights: '${name}' starts at byte ${byteOffset}, not a 256-byte boundary, so it cannot be bound`);
      return new Tensor(ctx, part.shape, buffer, byteOffset, 'f32', false);
    },
    destroy() {},
  };
}

/** A map of tensors by name (each its own buffer or a view); not destroyed by destroy(). */
export function weightsFromMap(config: ModelConfig, tensors: Map<string, Tensor> | Record<string, Tensor>): DecoderWeights {
  const map = tensors instanceof Map ? tensors : new Map(Object.entries(tensors));
  return { config, get: (name) => map.get(name) ?? null, destroy() {} };
}

/**
 * Uploads host arrays by name (e.g. a checkpoint read with readSafetensors) into one flat GPU
 * buffer in the engine's layout. Every parameter of the config must be present with its shape;
 * names the model does not have are an error too (a checkpoint of some other shape).
 */
export function uploadWeights(ctx: GpuContext, config: ModelConfig, arrays: Map<string, Float32Array> | Record<string, Float32Array>): DecoderWeights {
  const map = arrays instanceof Map ? arrays : new Map(Object.entries(arrays));
  const layout = buildParamLayout(config);
  const flat = new Float32Array(layout.totalFloats);
  const expected = new Set<string>();
  for (const slab of layout.slabs) {
    for (const part of slab.parts) {
      expected.add(part.name);
      const data = map.get(part.name);
      if (!data) throw new Error(`decoder weights: '${part.name}' [${part.shape}] is missing`);
      if (data.length !== part.numel) {
        throw new Error(`decoder weights: '${part.name}' has ${data.length} values, the config needs [${part.shape}] = ${part.numel}`);
      }
      flat.set(data, part.offset);
    }
  }
  for (const name of map.keys()) if (!expected.has(name)) throw new Error(`decoder weights: '${name}' is not a parameter of this ${config.kind} model`);
  const tensor = Tensor.from(ctx, flat, [layout.totalFloats], 'decoder.params');
  const views = weightsFromFlat(ctx, layout, tensor);
  return { config, get: views.get, destroy: () => tensor.destroy() };
}
