// A GpuContext that allocates nothing: the memory estimate builds the real training step on it
// (same graph code, same recordings, same lifetime planner) and adds up the buffers it would have
// created. Pipelines, bind groups and buffers are inert records; nothing can be submitted.
import { type AdapterReport, type FeatureSet, GpuContext } from './device';

/** What the plan depends on: the adapter's limits (binding splits), features and driver (kernel variants). */
export interface DeviceProfile {
  limits: Readonly<Record<string, number>>;
  features: FeatureSet;
  report: AdapterReport;
}

export interface CreatedBuffer {
  label: string;
  size: number;
  usage: number;
}

/**
 * A profile that records any model: limits high enough that no binding is split and no buffer is
 * refused (the fit check applies the adapter's real limits), a GPU-like driver, no optional features.
 */
export function unboundedProfile(): DeviceProfile {
  const limits: Record<string, number> = {
    maxStorageBufferBindingSize: 2 ** 52,
    maxBufferSize: 2 ** 52,
    maxComputeWorkgroupsPerDimension: 65535,
    maxComputeInvocationsPerWorkgroup: 256,
    maxComputeWorkgroupSizeX: 256,
    maxComputeWorkgroupSizeY: 256,
    maxComputeWorkgroupSizeZ: 64,
    maxComputeWorkgroupStorageSize: 16384,
    maxStorageBuffersPerShaderStage: 10,
    maxUniformBuffersPerShaderStage: 12,
    maxBindGroups: 4,
  };
  return {
    limits,
    features: { shaderF16: false, subgroups: false, subgroupMinSize: 0, timestampQuery: false },
    report: { vendor: '', architecture: '', device: 'dry run', description: 'dry run', driver: 'native', isFallbackAdapter: false, features: [], limits },
  };
}

/** The profile of a real context, so a dry run plans exactly what that context would allocate. */
export function profileOf(ctx: GpuContext): DeviceProfile {
  const limits: Record<string, number> = {};
  for (const name of Object.keys(ctx.report.limits)) limits[name] = (ctx.limits as unknown as Record<string, number>)[name];
  return { limits, features: ctx.features, report: ctx.report };
}

const dryRuns = new WeakMap<GpuContext, CreatedBuffer[]>();

/** Whether `ctx` is a dry run (TrainStep skips its own fit check there: it IS the check). */
export function isDryRun(ctx: GpuContext): boolean {
  return dryRuns.has(ctx);
}

/** The buffers a dry-run context was asked for, in order. */
export function createdBuffers(ctx: GpuContext): readonly CreatedBuffer[] {
  const list = dryRuns.get(ctx);
  if (!list) throw new Error('createdBuffers: not a dry-run context');
  return list;
}

function refuse(what: string): never {
  throw new Error(`dry-run GPU context: ${what} (a dry run plans memory; nothing runs)`);
}

export function dryRunContext(profile: DeviceProfile = unboundedProfile()): GpuContext {
  const created: CreatedBuffer[] = [];
  const inert = (descriptor?: { label?: string }) => ({ label: descriptor?.label ?? '' });
  const device = {
    limits: profile.limits,
    features: new Set(profile.report.features),
    lost: new Promise<never>(() => {}),
    queue: {
      writeBuffer: () => {},
      submit: () => refuse('submit'),
      onSubmittedWorkDone: () => refuse('onSubmittedWorkDone'),
    },
    createBuffer: (d: GPUBufferDescriptor) => {
      created.push({ label: d.label ?? '', size: d.size, usage: d.usage });
      return { label: d.label ?? '', size: d.size, usage: d.usage, destroy: () => {}, mapState: 'unmapped' };
    },
    createBindGroupLayout: inert,
    createPipelineLayout: inert,
    createShaderModule: inert,
    createComputePipeline: inert,
    createBindGroup: inert,
    createQuerySet: () => refuse('createQuerySet'),
    createCommandEncoder: () => refuse('createCommandEncoder'),
    destroy: () => {},
  };
  // GpuContext's constructor is private to its opener; its methods only need these fields.
  const ctx = Object.assign(Object.create(GpuContext.prototype) as GpuContext, {
    adapter: undefined,
    device,
    report: profile.report,
    features: profile.features,
    buffersCreated: 0,
    lostReason: undefined,
  });
  dryRuns.set(ctx, created);
  return ctx;
}
