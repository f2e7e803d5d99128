import * as v from 'valibot';
import { defineCommand } from '../define.ts';

export const DriverKindSchema = v.picklist(['native', 'lavapipe', 'swiftshader', 'custom']);
export type DriverKind = v.InferOutput<typeof DriverKindSchema>;

/** What the engine host got from Dawn, plus which Vulkan driver it was started with. */
export const GpuInfoSchema = v.object({
  vendor: v.string(),
  architecture: v.string(),
  device: v.string(),
  description: v.string(),
  /** The native API Dawn drives on this platform: Vulkan on Linux, Metal on macOS, D3D12 on Windows. */
  backend: v.string(),
  driver: v.object({
    kind: DriverKindSchema,
    /** The Vulkan ICD file the host was started with (VK_ICD_FILENAMES), if any. */
    icd: v.optional(v.string()),
    label: v.string(),
  }),
  /** True when the "GPU" is a software rasterizer on the CPU (lavapipe, SwiftShader, WARP …). */
  cpuFallback: v.boolean(),
  isFallbackAdapter: v.boolean(),
  features: v.array(v.string()),
  limits: v.record(v.string(), v.number()),
  shaderF16: v.boolean(),
  subgroups: v.boolean(),
});
export type GpuInfo = v.InferOutput<typeof GpuInfoSchema>;

export const gpuInfo = defineCommand({
  target: 'engine',
  summary: 'Open the WebGPU device and report adapter, driver, limits and features',
  timeoutMs: 60_000,
  params: v.object({}),
  result: GpuInfoSchema,
});
