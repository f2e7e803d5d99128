// The one GPU device of an engine process: the adapter and device, the limits we asked for, the
// optional features we found, and every buffer created through it (so tests can prove a replayed
// step allocates nothing new). The `GPU` object comes from the host: Dawn's Node bindings headless
// (src/engine/gpu/dawn.ts), navigator.gpu in a browser or Electron's engine worker. Nothing here
// imports 'webgpu' or Node modules, so the engine core bundles for the browser.
import { requestNamedAdapter } from './adapters.ts';

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The Vulkan driver: from VK_ICD_FILENAMES, else named from the adapter (SwiftShader, lavapipe), else 'native'. */
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

/** Where GpuContext.open() gets its `GPU` object when not given one. */
export type GpuProvider = () => GPU | Promise<GPU>;

let gpuProvider: GpuProvider | undefined;

/**
 * Sets this process's (or worker's) GPU entry: Node hosts call useDawn() (src/engine/gpu/dawn.ts);
 * browser hosts need nothing, navigator.gpu is the default.
 */
export function setGpuProvider(provider: GpuProvider | undefined): void {
  gpuProvider = provider;
}

/** This process's GPU entry: the provider's, else navigator.gpu. */
export async function gpuInstance(): Promise<GPU> {
  if (gpuProvider) return gpuProvider();
  const browserGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (browserGpu) return browserGpu;
  const inNode = typeof process !== 'undefined' && Boolean(process.versions?.node);
  throw new Error(
    inNode
      ? 'No WebGPU entry point: under Node call useDawn() from src/engine/gpu/dawn.ts before GpuContext.open().'
      : 'No WebGPU entry point: navigator.gpu is missing (WebGPU disabled, or not a secure context).',
  );
}

/** The driver named by VK_ICD_FILENAMES; a browser host has no environment and reports 'native'. */
export function driverFromEnv(
  icd = (typeof process !== 'undefined' ? process.env?.VK_ICD_FILENAMES : undefined) ?? '',
): AdapterReport['driver'] {
  if (!icd) return 'native';
  if (/lvp_icd/.test(icd)) return 'lavapipe';
  if (/swiftshader/i.test(icd)) return 'swiftshader';
  return 'custom';
}

/**
 * The driver from VK_ICD_FILENAMES, else from what the adapter calls itself: a browser host (and
 * Electron's engine window) picks its driver with Chromium switches, not VK_ICD_FILENAMES, and the
 * per-driver kernel defaults (ops/matmul-choice.ts) must still see SwiftShader or lavapipe.
 */
function driverOfAdapter(info: GPUAdapterInfo): AdapterReport['driver'] {
  const fromEnv = driverFromEnv();
  if (fromEnv !== 'native') return fromEnv;
  const text = [info.vendor, info.architecture, info.device, info.description].join(' ');
  if (/swiftshader/i.test(text)) return 'swiftshader';
  if (/llvmpipe|lavapipe/i.test(text)) return 'lavapipe';
  return 'native';
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

  /**
   * Opens an adapter and device on `options.gpu`, else on the provider's GPU (see setGpuProvider):
   * the adapter named `adapterName` (see adapters.ts; an error lists the names found), else the one
   * WebGPU returns for `powerPreference`.
   */
  static async open(options: { gpu?: GPU; powerPreference?: GPUPowerPreference; adapterName?: string } = {}): Promise<GpuContext> {
    const gpu = options.gpu ?? (await gpuInstance());
    const adapter = options.adapterName
      ? await requestNamedAdapter(gpu, options.adapterName)
      : await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
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
    // Dawn and Chromium report the subgroup size range in adapter.info (not yet in @webgpu/types).
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
      driver: driverOfAdapter(info),
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
