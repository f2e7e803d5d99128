// A float32 (or u32/i32) array living in a GPU buffer: a view (buffer, byte offset, shape) so that
// many tensors can share one allocation (parameters, gradients and Adam state are views into flat
// buffers, as in llm.c). An arena tensor's buffer is a PlannedBuffer until the memory planner
// picks the real one (planner.ts): ops may bind it while recording, the host must go through
// read()/write()/gpuBuffer(), which resolve it.
import type { GpuContext } from './device';
import { BufferUsage, MapMode } from './flags';
import { PlannedBuffer } from './planner';

export type DType = 'f32' | 'u32' | 'i32';

export const STORAGE_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

/** WebGPU requires storage-buffer binding offsets to be multiples of this (256 on every adapter we met). */
export function alignOffset(bytes: number, alignment = 256): number {
  return Math.ceil(bytes / alignment) * alignment;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export class Tensor {
  constructor(
    readonly ctx: GpuContext,
    readonly shape: readonly number[],
    readonly buffer: GPUBuffer,
    readonly byteOffset = 0,
    readonly dtype: DType = 'f32',
    /** Whether this tensor owns its buffer (and destroy() frees it). */
    private readonly owner = true,
  ) {}

  /** A new zero-filled tensor with its own buffer. */
  static empty(ctx: GpuContext, shape: readonly number[], dtype: DType = 'f32', label?: string): Tensor {
    const size = Math.max(4, numel(shape) * 4);
    const buffer = ctx.createBuffer({ size: alignOffset(size, 4), usage: STORAGE_USAGE, label });
    return new Tensor(ctx, shape, buffer, 0, dtype, true);
  }

  static from(
    ctx: GpuContext,
    data: Float32Array | Uint32Array | Int32Array,
    shape: readonly number[],
    label?: string,
  ): Tensor {
    if (data.length !== numel(shape)) throw new Error(`Tensor.from: ${data.length} values for shape [${shape}]`);
    const dtype: DType = data instanceof Float32Array ? 'f32' : data instanceof Uint32Array ? 'u32' : 'i32';
    const t = Tensor.empty(ctx, shape, dtype, label);
    t.write(data);
    return t;
  }

  /** A view of `shape` starting `byteOffset` bytes into this tensor's buffer (must be 256-aligned to bind). */
  view(shape: readonly number[], byteOffset: number, dtype: DType = this.dtype): Tensor {
    return new Tensor(this.ctx, shape, this.buffer, this.byteOffset + byteOffset, dtype, false);
  }

  /** The planner's stand-in, if this tensor's buffer is chosen by lifetime. */
  get planned(): PlannedBuffer | undefined {
    return this.buffer instanceof PlannedBuffer ? this.buffer : undefined;
  }

  /** The real GPUBuffer for a copy encoded outside any recording (plans the arena if needed). */
  gpuBuffer(what = 'a copy'): GPUBuffer {
    return realBuffer(this.buffer, what);
  }

  get numel(): number {
    return numel(this.shape);
  }

  get byteLength(): number {
    return this.numel * 4;
  }

  binding(): GPUBufferBinding {
    return { buffer: this.buffer, offset: this.byteOffset, size: Math.max(4, this.byteLength) };
  }

  write(data: Float32Array | Uint32Array | Int32Array): void {
    this.ctx.device.queue.writeBuffer(realBuffer(this.buffer, 'a host write'), this.byteOffset, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Copies the tensor back to the CPU. For tests, inspection and checkpoints: never inside a step. */
  async read(): Promise<Float32Array> {
    const bytes = await readBytes(this.ctx, this.buffer, this.byteOffset, this.byteLength);
    return new Float32Array(bytes);
  }

  async readU32(): Promise<Uint32Array> {
    return new Uint32Array(await readBytes(this.ctx, this.buffer, this.byteOffset, this.byteLength));
  }

  destroy(): void {
    if (this.owner) this.buffer.destroy();
  }
}

/** `buffer` itself, or the buffer the planner chose for a stand-in (which must not be shared: the host uses it). */
export function realBuffer(buffer: GPUBuffer, what: string): GPUBuffer {
  return buffer instanceof PlannedBuffer ? buffer.resolveForHost(what) : buffer;
}

export async function readBytes(ctx: GpuContext, buffer: GPUBuffer, offset: number, size: number): Promise<ArrayBuffer> {
  buffer = realBuffer(buffer, 'a host read');
  const padded = alignOffset(Math.max(size, 4), 4);
  const staging = ctx.createBuffer({ size: padded, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
  const encoder = ctx.device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, offset, staging, 0, padded);
  ctx.device.queue.submit([encoder.finish()]);
  await staging.mapAsync(MapMode.READ);
  const copy = staging.getMappedRange().slice(0, size);
  staging.unmap();
  staging.destroy();
  if (ctx.lostReason) throw new Error(ctx.lostReason);
  return copy;
}
