// Flat engine buffers <-> safetensors with Hugging Face names.
//   model.safetensors     every parameter by its HF name and shape (GPT-2: transformer.wte.weight,
//                         transformer.h.0.attn.c_attn.weight [in, out] …); padding is not written
//   optimizer.safetensors AdamW's moments per parameter (<name>.exp_avg, <name>.exp_avg_sq, as
//                         torch.optim.AdamW calls them) and the step count (I32 "step" [1])
import { parseSafetensors, serializeSafetensors, type TensorToWrite } from '../io/safetensors';
import { allParts, loadParams, type ParamLayout } from '../model/params';
import { initParams } from './init';

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
function flatFrom(layout: ParamLayout, tensors: Map<string, { shape: number[]; data: ArrayLike<number> }>, what: string, suffix = '', absent: ReadonlySet<string> = new Set()): Float32Array {
  const flat = new Float32Array(layout.totalFloats);
  const expected = new Set<string>();
  for (const p of allParts(layout)) {
    const name = p.name + suffix;
    expected.add(name);
    const t = tensors.get(name);
    if (!t && absent.has(p.name)) continue; // a new head's moments start at zero
    if (!t) throw new Error(`${what}: '${name}' [${p.shape}] is missing`);
    if (t.shape.join(',') !== p.shape.join(',')) throw new Error(`${what}: '${name}' has shape [${t.shape}], the model expects [${p.shape}]`);
    flat.set(t.data, p.offset);
  }
  return flat;
}

/** A checkpoint's weights in a layout, and how the two differed. */
export interface LoadedModel {
  /** The flat parameter buffer, layout order. */
  params: Float32Array;
  /** Layout tensors the checkpoint lacked (a new head's), left at their initial values. */
  initialised: string[];
  /** Checkpoint tensors the layout has no place for (not loaded; the caller reports them). */
  unexpected: string[];
}

/**
 * Reads model.safetensors into `layout` (the model's loadParams): a head the checkpoint lacks keeps
 * its values from `init` (default: initParams(layout, 0)) and is listed in `initialised`; tensors
 * the layout has no place for are listed in `unexpected`, never dropped silently; a missing body
 * tensor or a shape that differs is an error naming it.
 */
export function deserializeModel(layout: ParamLayout, bytes: Uint8Array, path = 'model.safetensors', init?: Float32Array): LoadedModel {
  const file = parseSafetensors(bytes, path);
  try {
    const { flat, initialised, unexpected } = loadParams(layout, file.tensors, init ?? initParams(layout, 0));
    return { params: flat, initialised, unexpected };
  } catch (error) {
    throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** One line for a log: what loading a checkpoint initialised and what it did not load, or '' when it matched. */
export function describeLoad(loaded: Pick<LoadedModel, 'initialised' | 'unexpected'>, path = 'model.safetensors'): string {
  const list = (names: string[]) => names.slice(0, 8).join(', ') + (names.length > 8 ? `, … (${names.length} in all)` : '');
  const parts: string[] = [];
  if (loaded.initialised.length) parts.push(`initialised ${loaded.initialised.length} tensor${loaded.initialised.length > 1 ? 's' : ''} it lacks (a new head): ${list(loaded.initialised)}`);
  if (loaded.unexpected.length) parts.push(`did not load ${loaded.unexpected.length} tensor${loaded.unexpected.length > 1 ? 's' : ''} this model has no place for: ${list(loaded.unexpected)}`);
  return parts.length ? `${path}: ${parts.join('; ')}` : '';
}

/** AdamW's state; `initialised` (deserializeModel's) names tensors whose moments may be absent and start at zero. */
export function deserializeOptimizer(layout: ParamLayout, bytes: Uint8Array, path = 'optimizer.safetensors', initialised: readonly string[] = []): { m: Float32Array; v: Float32Array; step: number } {
  const file = parseSafetensors(bytes, path);
  const step = file.tensors.get('step');
  if (!step) throw new Error(`${path}: no 'step' tensor`);
  const absent = new Set(initialised);
  return { m: flatFrom(layout, file.tensors, path, '.exp_avg', absent), v: flatFrom(layout, file.tensors, path, '.exp_avg_sq', absent), step: Number(step.data[0]) };
}
