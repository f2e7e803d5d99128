// Flat engine buffers <-> safetensors with Hugging Face names.
//   model.safetensors     every parameter by its HF name and shape (GPT-2: transformer.wte.weight,
//                         transformer.h.0.attn.c_attn.weight [in, out] …); padding is not written
//   optimizer.safetensors AdamW's moments per parameter (<name>.exp_avg, <name>.exp_avg_sq, as
//                         torch.optim.AdamW calls them) and the step count (I32 "step" [1])
import { parseSafetensors, serializeSafetensors, type TensorToWrite } from '../io/safetensors';
import { allParts, type ParamLayout } from '../model/params';

function partsOf(layout: ParamLayout, flat: Float32Array, suffix = ''): Map<string, TensorToWrite> {
  if (flat.length !== layout.totalFloats) throw new Error(`weights: ${flat.length} floats, the layout has ${layout.totalFloats}`);
  const out = new Map<string, TensorToWrite>();
  for (const p of allParts(layout)) out.set(p.name + suffix, { shape: p.shape, data: flat.slice(p.offset, p.offset + p.numel) });
  return out;
}

export function serializeModel(layout: ParamLayout, params: Float32Array, metadata: Record<string, string> = {}): Uint8Array {
  return serializeSafetensors(partsOf(layout, params), { format: 'pt', ...metadata });
}

export function serializeOptimizer(layout: ParamLayout, m: Float32Array, v: Float32Array, step: number): Uint8Array {
  const tensors = new Map([...partsOf(layout, m, '.exp_avg'), ...partsOf(layout, v, '.exp_avg_sq')]);
  tensors.set('step', { shape: [1], data: Int32Array.of(step) });
  return serializeSafetensors(tensors, { format: 'pt', optimizer: 'AdamW' });
}

/** Reads tensors named `<part><suffix>` back into a flat buffer; every part must be present with its shape. */
function flatFrom(layout: ParamLayout, tensors: Map<string, { shape: number[]; data: ArrayLike<number> }>, what: string, suffix = ''): Float32Array {
  const flat = new Float32Array(layout.totalFloats);
  const expected = new Set<string>();
  for (const p of allParts(layout)) {
    const name = p.name + suffix;
    expected.add(name);
    const t = tensors.get(name);
    if (!t) throw new Error(`${what}: '${name}' [${p.shape}] is missing`);
    if (t.shape.join(',') !== p.shape.join(',')) throw new Error(`${what}: '${name}' has shape [${t.shape}], the model expects [${p.shape}]`);
    flat.set(t.data, p.offset);
  }
  return flat;
}

export function deserializeModel(layout: ParamLayout, bytes: Uint8Array, path = 'model.safetensors'): Float32Array {
  const file = parseSafetensors(bytes, path);
  const flat = flatFrom(layout, file.tensors, path);
  const extra = [...file.tensors.keys()].filter((n) => !allParts(layout).some((p) => p.name === n));
  if (extra.length) throw new Error(`${path}: tensors the model does not have: ${extra.slice(0, 5).join(', ')}`);
  return flat;
}

export function deserializeOptimizer(layout: ParamLayout, bytes: Uint8Array, path = 'optimizer.safetensors'): { m: Float32Array; v: Float32Array; step: number } {
  const file = parseSafetensors(bytes, path);
  const step = file.tensors.get('step');
  if (!step) throw new Error(`${path}: no 'step' tensor`);
  return { m: flatFrom(layout, file.tensors, path, '.exp_avg'), v: flatFrom(layout, file.tensors, path, '.exp_avg_sq'), step: Number(step.data[0]) };
}
