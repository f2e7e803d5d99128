// Kernels and recorded dispatches: the unit of the trace-and-replay engine.
//
// A Kernel is one WGSL compute entry point with an explicit bind-group layout. Binding 0..n-1 are
// storage buffers (read-only or read-write, in the order given), and, if the kernel takes
// parameters, the last binding is a uniform buffer holding them. `kernel.record(recorder, ...)`
// creates the parameter buffer once, at trace time, and appends a Dispatch; its bind group is made
// then too, or, where it binds arena tensors whose buffers the memory planner has not chosen yet
// (planner.ts), when the recorder is finished. Replaying a Recorder only encodes what was
// recorded, so a replayed step allocates nothing.
import { awaitQuietly, CompletionEstimate } from './completion';
import type { GpuContext } from './device';
import { BufferUsage, ShaderStage } from './flags';
import { AdapterLimitError, checkRecording, noteUse, PlannedBuffer } from './planner';
import type { Tensor } from './tensor';

export type BindingKind = 'read' | 'write';

export interface KernelSpec {
  /** Names the op in errors, labels and benchmarks, e.g. 'matmul.nn.vec4'. */
  label: string;
  code: string;
  entryPoint?: string;
  /** One entry per storage binding, in binding order: 'read' (read-only) or 'write' (read_write). */
  storage: readonly BindingKind[];
  /** Whether binding `storage.length` is a uniform buffer of parameters. */
  uniform?: boolean;
  /** Values for the shader's `override` declarations (booleans become 1/0), fixed per pipeline. */
  constants?: Readonly<Record<string, number | boolean>>;
}

export interface Dispatch {
  readonly label: string;
  readonly pipeline: GPUComputePipeline;
  /** Made at record time, or when the recorder is finished if it binds planned tensors. */
  readonly bindGroup: GPUBindGroup;
  readonly workgroups: readonly [number, number, number];
}

/** A dispatch whose bind group waits for the memory planner to choose its tensors' buffers. */
class PendingDispatch implements Dispatch {
  private group: GPUBindGroup | undefined;

  constructor(
    readonly label: string,
    readonly pipeline: GPUComputePipeline,
    readonly workgroups: readonly [number, number, number],
    private readonly device: GPUDevice,
    private readonly layout: GPUBindGroupLayout,
    private readonly entries: GPUBindGroupEntry[],
  ) {}

  get bindGroup(): GPUBindGroup {
    if (!this.group) {
      const entries = this.entries.map((e) => {
        const r = e.resource as GPUBufferBinding;
        return r.buffer instanceof PlannedBuffer ? { binding: e.binding, resource: { ...r, buffer: r.buffer.resolve() } } : e;
      });
      this.group = this.device.createBindGroup({ label: this.label, layout: this.layout, entries });
    }
    return this.group;
  }
}

type Bindable = Tensor | GPUBufferBinding;

function asBinding(b: Bindable): GPUBufferBinding {
  return 'binding' in b && typeof b.binding === 'function' ? b.binding() : (b as GPUBufferBinding);
}

/**
 * How errors name a binding: the arena tensor's name where the buffer is a planned one (e.g.
 * "'gpt.activations[12x64].logits' [768,65]"), else the tensor's shape ("[768,65]"), else nothing.
 */
export function describeBinding(b: Bindable): string {
  const buffer = asBinding(b).buffer;
  const shape = 'shape' in b ? ` [${(b as Tensor).shape}]` : '';
  if (buffer instanceof PlannedBuffer) return ` '${buffer.label}'${shape || ` (part of [${buffer.shape}])`}`;
  return shape;
}

const pipelineCache = new WeakMap<GpuContext, Map<string, { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }>>();

export class Kernel {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;

  constructor(
    readonly ctx: GpuContext,
    readonly spec: KernelSpec,
  ) {
    const maxStorage = ctx.limits.maxStorageBuffersPerShaderStage;
    if (spec.storage.length > maxStorage) {
      throw new Error(`${spec.label}: ${spec.storage.length} storage bindings exceed this adapter's limit of ${maxStorage}`);
    }
    let cache = pipelineCache.get(ctx);
    if (!cache) pipelineCache.set(ctx, (cache = new Map()));
    const constants: Record<string, number> = {};
    for (const [name, value] of Object.entries(spec.constants ?? {})) constants[name] = Number(value);
    // The label is not part of the key: ops recorded under many labels (per layer) share one
    // pipeline, which matters where pipelines take long to build (software drivers).
    const key = [spec.entryPoint ?? 'main', spec.storage.join(), spec.uniform, JSON.stringify(constants), spec.code].join('\u0000');
    let cached = cache.get(key);
    if (!cached) {
      const entries: GPUBindGroupLayoutEntry[] = spec.storage.map((kind, binding) => ({
        binding,
        visibility: ShaderStage.COMPUTE,
        buffer: { type: kind === 'read' ? 'read-only-storage' : 'storage' },
      }));
      if (spec.uniform) {
        entries.push({ binding: spec.storage.length, visibility: ShaderStage.COMPUTE, buffer: { type: 'uniform' } });
      }
      const layout = ctx.device.createBindGroupLayout({ label: spec.label, entries });
      const module = ctx.device.createShaderModule({ label: spec.label, code: spec.code });
      const pipeline = ctx.device.createComputePipeline({
        label: spec.label,
        layout: ctx.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: spec.entryPoint ?? 'main', constants },
      });
      cached = { pipeline, layout };
      cache.set(key, cached);
    }
    this.pipeline = cached.pipeline;
    this.layout = cached.layout;
  }

  /**
   * Records one dispatch of this kernel. `params` (if the kernel takes a uniform) is copied into a
   * uniform buffer created here, once; pass `paramsBuffer` instead to bind a buffer that changes
   * between replays (learning rate, step, RNG seed), written with queue.writeBuffer before submit.
   */
  record(
    recorder: Recorder,
    buffers: readonly Bindable[],
    workgroups: readonly [number, number?, number?],
    params?: ArrayBufferView | GPUBuffer,
  ): Dispatch {
    const { spec, ctx } = this;
    if (buffers.length !== spec.storage.length) {
      throw new Error(`${spec.label}: expected ${spec.storage.length} buffers, got ${buffers.length}`);
    }
    const entries: GPUBindGroupEntry[] = buffers.map((b, binding) => ({ binding, resource: asBinding(b) }));
    const limit = ctx.limits.maxStorageBufferBindingSize;
    entries.forEach((e, i) => {
      const r = e.resource as GPUBufferBinding;
      const size = r.size ?? r.buffer.size - (r.offset ?? 0);
      if (size > limit) {
        throw new AdapterLimitError(`${spec.label}: binding ${i}${describeBinding(buffers[i])} is ${size} bytes, over this adapter's maxStorageBufferBindingSize ${limit}; split it (ops/util.ts bindingChunks)`);
      }
    });
    if (spec.uniform) {
      if (!params) throw new Error(`${spec.label}: this kernel needs parameters`);
      let uniform: GPUBuffer;
      if (ArrayBuffer.isView(params)) {
        uniform = ctx.createBuffer({
          label: `${spec.label}.params`,
          size: Math.max(16, Math.ceil(params.byteLength / 16) * 16),
          usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST,
        });
        ctx.device.queue.writeBuffer(uniform, 0, params.buffer, params.byteOffset, params.byteLength);
        recorder.own(uniform);
      } else {
        uniform = params;
      }
      entries.push({ binding: spec.storage.length, resource: { buffer: uniform } });
    }
    const [x, y = 1, z = 1] = workgroups;
    const max = ctx.limits.maxComputeWorkgroupsPerDimension;
    if (x > max || y > max || z > max) {
      throw new AdapterLimitError(`${spec.label}: dispatch [${x}, ${y}, ${z}] exceeds maxComputeWorkgroupsPerDimension ${max}; use splitWorkgroups()`);
    }
    const planned = entries.slice(0, spec.storage.length).map((e) => (e.resource as GPUBufferBinding).buffer);
    const dispatch: Dispatch = planned.some((b) => b instanceof PlannedBuffer)
      ? new PendingDispatch(spec.label, this.pipeline, [x, y, z], ctx.device, this.layout, entries)
      : { label: spec.label, pipeline: this.pipeline, bindGroup: ctx.device.createBindGroup({ label: spec.label, layout: this.layout, entries }), workgroups: [x, y, z] };
    if (x > 0 && y > 0 && z > 0) {
      const index = recorder.dispatches.length;
      planned.forEach((b, i) => {
        if (b instanceof PlannedBuffer) recorder.note(b, index, spec.storage[i]);
      });
      recorder.dispatches.push(dispatch);
    }
    return dispatch;
  }
}

/**
 * Spreads `count` workgroups over x and y so neither exceeds the adapter's per-dimension limit.
 * The shader recovers the linear index as `wid.x + wid.y * nwg.x` and must skip indices >= count.
 */
export function splitWorkgroups(count: number, maxPerDimension: number): [number, number, number] {
  if (count <= maxPerDimension) return [count, 1, 1];
  const y = Math.ceil(count / maxPerDimension);
  return [Math.ceil(count / y), y, 1];
}

/** An ordered list of dispatches, recorded once and replayed with one command encoder. */
export class Recorder {
  readonly dispatches: Dispatch[] = [];
  private readonly owned: GPUBuffer[] = [];
  /** Planned tensors this recording binds (their uses are noted on them, keyed by this recorder). */
  private readonly planned = new Set<PlannedBuffer>();
  /** Dispatches before this index have their bind groups. */
  private finishedUpTo = 0;
  /** How long a replay takes, learnt from earlier ones, so run() can wait without Dawn's busy-poll. */
  readonly completion = new CompletionEstimate();

  constructor(
    readonly ctx: GpuContext,
    /** Names this recording in planner errors. */
    readonly label = 'recording',
  ) {}

  own(buffer: GPUBuffer): void {
    this.owned.push(buffer);
  }

  /** Notes that dispatch `index` binds planned tensor `b` (Kernel.record calls this). */
  note(b: PlannedBuffer, index: number, access: 'read' | 'write'): void {
    this.planned.add(b);
    noteUse(b, this, index, access);
  }

  /**
   * Ends recording (more may still be appended and finished later): plans the buffers of the arena
   * tensors it binds, if not yet planned, checks the plan serves this recording, and makes the
   * pending bind groups. Record every recorder that shares an arena before finishing any of them:
   * the plan is made from the recordings known at that moment. encode() finishes implicitly.
   */
  finish(): void {
    if (this.finishedUpTo === this.dispatches.length) return;
    for (const b of this.planned) b.resolve();
    checkRecording(this, this.label, this.planned);
    for (let i = this.finishedUpTo; i < this.dispatches.length; i++) void this.dispatches[i].bindGroup;
    this.finishedUpTo = this.dispatches.length;
  }

  /** Encodes every recorded dispatch, in order, into one compute pass. */
  encode(encoder: GPUCommandEncoder, timestampWrites?: GPUComputePassTimestampWrites): void {
    this.finish();
    const pass = encoder.beginComputePass(timestampWrites ? { timestampWrites } : {});
    for (const d of this.dispatches) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
    }
    pass.end();
  }

  /** Encodes and submits everything recorded (one encoder). Does not wait for the GPU. */
  submit(): void {
    if (this.ctx.lostReason) throw new Error(this.ctx.lostReason);
    const encoder = this.ctx.device.createCommandEncoder();
    this.encode(encoder);
    this.ctx.device.queue.submit([encoder.finish()]);
  }

  /** Submits and waits for the GPU to finish (evaluation, tests and benchmarks). */
  async run(): Promise<void> {
    this.submit();
    await awaitQuietly(this.completion, performance.now(), () => this.ctx.device.queue.onSubmittedWorkDone());
    if (this.ctx.lostReason) throw new Error(this.ctx.lostReason);
  }

  /** Frees the parameter buffers this recording created (not the tensors it bound). */
  destroy(): void {
    for (const b of this.owned) b.destroy();
    for (const b of this.planned) b.uses.delete(this);
    this.planned.clear();
    this.owned.length = 0;
    this.dispatches.length = 0;
    this.finishedUpTo = 0;
  }
}
