// The one GPU device of an engine process: Dawn's adapter and device, the limits we asked for,
// the optional features we found, and every buffer created through it (so tests can prove a
// replayed step allocates nothing new).
import { create, globals } from 'webgpu';
import { cpuFlags, lavapipeVectorWidth } from './drivers.ts';

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Which Vulkan driver was chosen for this process, from VK_ICD_FILENAMES ('native' if none). */
  driver: 'native' | 'lavapipe' | 'swiftshader' | 'custom';
  isFallbackAdapter: boolean;
  features: string[];
  limits: Record<string, number>;
}

export interface FeatureSet {
  shaderF16: boolean;
  subgroups: boolean;
  /** The adapter's smallest subgroup (0 without subgroups): kernels may count on this many lanes. */
  subgroupMinSize: number;
  timestampQuery: boolean;
}

// Dawn's `create()` result must stay reachable for the life of the process: if it is collected,
// the process crashes later. Module scope keeps it.
let dawnGpu: GPU | undefined;
let dawnFlags: string[] = [];

/**
 * Flags for Dawn's `create()` (e.g. 'enable-dawn-features=disable_robustness'); only effective
 * before the first GpuContext.open() of the process.
 */
export function setDawnFlags(flags: readonly string[]): void {
  if (dawnGpu) throw new Error('setDawnFlags: Dawn is already created in this process');
  dawnFlags = [...flags];
}

function gpuInstance(): GPU {
  if (!dawnGpu) {
    const width = lavapipeVectorWidth(process.env, cpuFlags());
    if (width) process.env.LP_NATIVE_VECTOR_WIDTH = width;
    Object.assign(globalThis, globals);
    dawnGpu = create(dawnFlags) as unknown as GPU;
  }
  return dawnGpu;
}

export function driverFromEnv(icd = process.env.VK_ICD_FILENAMES ?? ''): AdapterReport['driver'] {
  if (!icd) return 'native';
  if (/lvp_icd/.test(icd)) return 'lavapipe';
  if (/swiftshader/i.test(icd)) return 'swiftshader';
  return 'custom';
}

const LIMITS_TO_REQUEST = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBuffersPerShaderStage',
  'maxBindGroups',
] as const;

export class GpuContext {
  /** Buffers created through this context so far (never decremented: a count of allocations). */
  buffersCreated = 0;
  /** Set once the device is lost; every later submit should fail with this message. */
  lostReason: string | undefined;

  private constructor(
    readonly adapter: GPUAdapter,
    readonly device: GPUDevice,
    readonly report: AdapterReport,
    readonly features: FeatureSet,
  ) {
    void device.lost.then((info) => {
      this.lostReason = `GPU device lost (${info.reason}): ${info.message}`;
    });
  }

  static async open(options: { powerPreference?: GPUPowerPreference } = {}): Promise<GpuContext> {
    const gpu = gpuInstance();
    const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
    if (!adapter) {
      throw new Error(
        'No WebGPU adapter found. Install a GPU driver with Vulkan support, or, for the CPU fallback, ' +
          "Mesa's lavapipe (mesa-vulkan-drivers >= 24) or Chromium (which ships SwiftShader).",
      );
    }
    const requiredLimits: Record<string, number> = {};
    for (const name of LIMITS_TO_REQUEST) {
      const value = (adapter.limits as unknown as Record<string, number>)[name];
      if (typeof value === 'number') requiredLimits[name] = value;
    }
    const subgroups = adapter.features.has('subgroups');
    // Dawn reports the subgroup size range in adapter.info (not yet in @webgpu/types).
    const sgInfo = adapter.info as unknown as { subgroupMinSize?: number };
    const features: FeatureSet = {
      shaderF16: adapter.features.has('shader-f16'),
      subgroups,
      subgroupMinSize: subgroups ? (sgInfo.subgroupMinSize ?? 0) : 0,
      timestampQuery: adapter.features.has('timestamp-query'),
    };
    const requiredFeatures: GPUFeatureName[] = [];
    if (features.shaderF16) requiredFeatures.push('shader-f16');
    if (features.subgroups) requiredFeatures.push('subgroups' as GPUFeatureName);
    if (features.timestampQuery) requiredFeatures.push('timestamp-query');
    const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
    const info = adapter.info;
    const limits: Record<string, number> = {};
    for (const name of LIMITS_TO_REQUEST) {
      limits[name] = (device.limits as unknown as Record<string, number>)[name];
    }
    const report: AdapterReport = {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      driver: driverFromEnv(),
      isFallbackAdapter: Boolean((info as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter),
      features: [...adapter.features].sort(),
      limits,
    };
    return new GpuContext(adapter, device, report, features);
  }

  createBuffer(descriptor: GPUBufferDescriptor): GPUBuffer {
    this.buffersCreated++;
    return this.device.createBuffer(descriptor);
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  destroy(): void {
    this.device.destroy();
  }
}
