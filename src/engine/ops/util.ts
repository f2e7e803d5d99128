// Small helpers shared by the op files: kernel construction, parameter packing, dispatch sizing.
// Every op records through these so that labels, split dispatch and parameter layout stay uniform.
import elementwiseLanesWgsl from '../../shaders/elementwise_lanes.wgsl?raw';
import type { GpuContext } from '../gpu/device';
import { BufferUsage } from '../gpu/flags';
import { describeBinding, Kernel, type Recorder, splitWorkgroups } from '../gpu/kernel';
import { AdapterLimitError } from '../gpu/planner';
import type { Tensor } from '../gpu/tensor';

/** A Kernel whose record() names the op and the binding when one exceeds maxStorageBufferBindingSize. */
class CheckedKernel extends Kernel {
  override record(...args: Parameters<Kernel['record']>): ReturnType<Kernel['record']> {
    const [rec, buffers] = args;
    const limit = rec.ctx.limits.maxStorageBufferBindingSize;
    buffers.forEach((b, i) => {
      const size = 'binding' in b && typeof b.binding === 'function' ? b.byteLength : ((b as GPUBufferBinding).size ?? (b as GPUBufferBinding).buffer.size);
      if (size > limit) {
        throw new AdapterLimitError(`${this.spec.label}: binding ${i}${describeBinding(b)} is ${size} bytes, over this adapter's maxStorageBufferBindingSize ${limit}`);
      }
    });
    return super.record(...args);
  }
}

/** A pipeline for `entryPoint` of `code` (cached by the Kernel class, so calling this per record is cheap). */
export function kernelFor(
  rec: Recorder,
  label: string,
  code: string,
  storage: readonly ('read' | 'write')[],
  entryPoint = 'main',
  uniform = true,
): Kernel {
  return new CheckedKernel(rec.ctx as GpuContext, { label, code, storage, uniform, entryPoint });
}

/** A float value to pack into a parameter block (plain numbers are packed as u32). */
export interface F32 {
  f32: number;
}
export const f32 = (value: number): F32 => ({ f32: value });

/** Packs a uniform parameter block: numbers become u32, `f32(x)` becomes an f32; padded to 16 bytes. */
export function packParams(values: readonly (number | F32)[]): Uint32Array {
  const out = new Uint32Array(Math.max(4, Math.ceil(values.length / 4) * 4));
  const asFloat = new Float32Array(out.buffer);
  values.forEach((v, i) => {
    if (typeof v === 'number') {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`packParams: ${v} is not a u32`);
      out[i] = v;
    } else asFloat[i] = v.f32;
  });
  return out;
}

/** Workgroups for `items` independent work items at `perGroup` items per workgroup, split past the x limit. */
export function groupsFor(rec: Recorder, items: number, perGroup: number): [number, number, number] {
  return splitWorkgroups(Math.ceil(items / perGroup), rec.ctx.limits.maxComputeWorkgroupsPerDimension);
}

/** Throws a named error unless `t` has exactly `expected` elements. */
export function expectNumel(op: string, name: string, t: Tensor, expected: number): void {
  if (t.numel !== expected) {
    throw new Error(`${op}: ${name} has shape [${t.shape}] (${t.numel} elements), expected ${expected} elements`);
  }
}

const dummies = new WeakMap<Recorder, GPUBuffer>();

/** A 16-byte writable buffer owned by `rec`, bound where a kernel variant leaves a binding unused. */
export function unusedWritable(rec: Recorder): GPUBufferBinding {
  let buffer = dummies.get(rec);
  if (!buffer) {
    buffer = rec.ctx.createBuffer({ label: 'unused', size: 16, usage: BufferUsage.STORAGE });
    rec.own(buffer);
    dummies.set(rec, buffer);
  }
  return { buffer };
}

const scratches = new WeakMap<Recorder, Map<string, GPUBufferBinding>>();

/**
 * A scratch buffer of `words` 32-bit words owned by `rec` (freed by rec.destroy()), for an op's
 * internal use within one call. Calls recorded into the same recorder run one after another, so
 * every call asking for the same label and size shares one buffer (a model's layers do not each
 * hold their own).
 */
export function ownedScratch(rec: Recorder, label: string, words: number): GPUBufferBinding {
  let byKey = scratches.get(rec);
  if (!byKey) scratches.set(rec, (byKey = new Map()));
  const key = `${label}:${words}`;
  let binding = byKey.get(key);
  if (!binding) {
    const buffer = rec.ctx.createBuffer({ label, size: Math.max(16, words * 4), usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC });
    rec.own(buffer);
    byKey.set(key, (binding = { buffer }));
  }
  return binding;
}

export interface Chunk {
  start: number;
  count: number;
}

/**
 * Splits `units` rows of `unitBytes` each into runs that fit one storage binding
 * (maxStorageBufferBindingSize) and start on 256-byte boundaries: every chunk but the last holds a
 * multiple of `step` rows (64 rows of >= 4 bytes are a multiple of 256 bytes). One chunk when it fits.
 */
export function bindingChunks(rec: Recorder, op: string, units: number, unitBytes: number, step = 64): Chunk[] {
  const limit = rec.ctx.limits.maxStorageBufferBindingSize;
  if (units * unitBytes <= limit) return [{ start: 0, count: units }];
  const per = Math.floor(limit / unitBytes / step) * step;
  if (per === 0) throw new AdapterLimitError(`${op}: ${step} rows of ${unitBytes} bytes exceed maxStorageBufferBindingSize ${limit}`);
  const chunks: Chunk[] = [];
  for (let start = 0; start < units; start += per) chunks.push({ start, count: Math.min(per, units - start) });
  return chunks;
}

/** A binding of `bytes` bytes starting `byteOffset` bytes into `b` (a Tensor or a buffer binding). */
export function subBinding(b: Tensor | GPUBufferBinding, byteOffset: number, bytes: number): GPUBufferBinding {
  const base = 'binding' in b && typeof b.binding === 'function' ? b.binding() : (b as GPUBufferBinding);
  return { buffer: base.buffer, offset: (base.offset ?? 0) + byteOffset, size: Math.max(4, bytes) };
}

/**
 * How row-wise reductions (layernorm, softmax, cross-entropy rows) are laid out on this adapter:
 * 'workgroup' (64-128 threads share a row and reduce through workgroup memory: what GPUs reward) or
 * 'thread' (one thread per row, no barriers: 5-13x faster on lavapipe, where a workgroup barrier
 * is expensive). Chosen from the adapter (CPU drivers get 'thread'); tests can force either.
 */
export type RowStrategy = 'workgroup' | 'thread';
const rowStrategies = new WeakMap<object, RowStrategy>();

export function setRowStrategy(ctx: GpuContext, strategy: RowStrategy | undefined): void {
  if (strategy) rowStrategies.set(ctx, strategy);
  else rowStrategies.delete(ctx);
}

export function rowStrategy(rec: Recorder): RowStrategy {
  const ctx = rec.ctx as GpuContext;
  const chosen = rowStrategies.get(ctx);
  if (chosen) return chosen;
  const report = ctx.report;
  const cpu = report.driver === 'lavapipe' || report.driver === 'swiftshader' || report.isFallbackAdapter ||
    /llvmpipe|lavapipe|swiftshader/i.test(`${report.description} ${report.device} ${report.vendor} ${report.architecture}`);
  return cpu ? 'thread' : 'workgroup';
}

const [vec4Lanes, scalarLanes] = elementwiseLanesWgsl.split('//--- scalar');

/**
 * The element type of an elementwise kernel over n floats (elementwise_lanes.wgsl, prepended):
 * vec4f when n % 4 == 0 (binding chunks start at multiples of 64 elements, so each stays whole), else f32.
 */
export function elementwiseLanes(n: number): { lanes: 1 | 4; header: string } {
  return n % 4 === 0 ? { lanes: 4, header: vec4Lanes } : { lanes: 1, header: scalarLanes };
}

/**
 * Launch shape of an elementwise kernel over n items with a grid-stride loop
 * (`for (i = gid; i < n; i += stride)`): on CPU adapters each invocation takes ~16 items (3x
 * faster on lavapipe, where per-invocation overhead dominates), on GPUs one.
 */
export function elementwiseGrid(rec: Recorder, n: number): { groups: [number, number, number]; stride: number } {
  const perThread = rowStrategy(rec) === 'thread' ? 16 : 1;
  const groups = groupsFor(rec, Math.max(1, n), 256 * perThread);
  return { groups, stride: groups[0] * groups[1] * 256 };
}
