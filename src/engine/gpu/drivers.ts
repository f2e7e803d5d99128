// Which Vulkan driver the engine host process starts with, and what Dawn made of it.
//
// Dawn reads VK_ICD_FILENAMES once, when the process starts, so the driver is chosen by whoever
// starts the engine host (the supervisor), which walks a plan: an explicit choice if the person made
// one, else the system's own drivers (a real GPU), then Mesa's lavapipe, then the SwiftShader that
// ships next to an installed Chromium. Old lavapipe (Mesa 22) is rejected by Dawn: trying it simply
// yields no adapter and the plan moves on. No Electron imports here.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DriverChoice, DriverKind, GpuInfo } from '../../protocol/index.ts';
import type { GpuContext } from './device.ts';

/** One way to start the engine host: the system's Vulkan loader as is, or one ICD file. */
export interface DriverCandidate {
  kind: DriverKind;
  /** Path to the ICD manifest (VK_ICD_FILENAMES); undefined for 'native'. */
  icd?: string;
  label: string;
}

/** Setting names: env PRETRAIN_STUDIO_VULKAN_ICD = auto | native | lavapipe | swiftshader | /path/to/icd.json */
export const DRIVER_ENV = 'PRETRAIN_STUDIO_VULKAN_ICD';

const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
const LAVAPIPE_FILES = ['lvp_icd.json', 'lvp_icd.x86_64.json', 'lvp_icd.aarch64.json', 'lvp_icd.i686.json'];
const CHROMIUM_DIRS = [
  '/usr/lib/chromium',
  '/usr/lib64/chromium',
  '/usr/lib/chromium-browser',
  '/usr/lib64/chromium-browser',
  '/snap/chromium/current/usr/lib/chromium-browser',
  '/opt/google/chrome',
  '/usr/lib/x86_64-linux-gnu/chromium',
];

export type Exists = (path: string) => boolean;

export function lavapipeIcds(exists: Exists = existsSync): string[] {
  return ICD_DIRS.flatMap((dir) => LAVAPIPE_FILES.map((file) => join(dir, file))).filter(exists);
}

export function swiftshaderIcds(exists: Exists = existsSync, home = homedir()): string[] {
  const dirs = [...CHROMIUM_DIRS, join(home, '.cache/ms-playwright')];
  return dirs.map((dir) => join(dir, 'vk_swiftshader_icd.json')).filter(exists);
}

export function kindOfIcd(icd: string): DriverKind {
  if (/lvp_icd/.test(icd)) return 'lavapipe';
  if (/swiftshader/i.test(icd)) return 'swiftshader';
  return 'custom';
}

function candidateFor(icd: string): DriverCandidate {
  const kind = kindOfIcd(icd);
  const name = kind === 'lavapipe' ? 'Mesa lavapipe' : kind === 'swiftshader' ? 'SwiftShader' : 'Vulkan driver';
  return { kind, icd, label: `${name} (${icd})` };
}

const NATIVE: DriverCandidate = { kind: 'native', label: "the system's Vulkan drivers" };

/**
 * The ordered list of drivers to try. An explicit choice (the `choice` argument, else
 * PRETRAIN_STUDIO_VULKAN_ICD, else a VK_ICD_FILENAMES the person already set) is honoured alone,
 * so a failure says so instead of silently using something else. 'auto' tries the real GPU first,
 * then the faster software driver (lavapipe), then SwiftShader.
 */
export function driverPlan(
  choice: DriverChoice | string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  exists: Exists = existsSync,
): DriverCandidate[] {
  const explicit = choice && choice !== 'auto' ? choice : env[DRIVER_ENV] || undefined;
  if (!explicit || explicit === 'auto') {
    if (env.VK_ICD_FILENAMES) return [candidateFor(env.VK_ICD_FILENAMES)];
    return [NATIVE, ...lavapipeIcds(exists).map(candidateFor), ...swiftshaderIcds(exists).map(candidateFor)];
  }
  if (explicit === 'native') return [NATIVE];
  if (explicit === 'lavapipe') return lavapipeIcds(exists).slice(0, 1).map(candidateFor);
  if (explicit === 'swiftshader') return swiftshaderIcds(exists).slice(0, 1).map(candidateFor);
  return [candidateFor(explicit)];
}

/** The CPU's feature flags (Linux /proc/cpuinfo; empty elsewhere). */
export function cpuFlags(): Set<string> {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m);
    return new Set(line ? line[1].trim().split(/\s+/) : []);
  } catch {
    return new Set();
  }
}

/**
 * lavapipe compiles shaders for 256-bit SIMD (8-lane subgroups) unless LP_NATIVE_VECTOR_WIDTH says
 * otherwise; on a CPU with AVX-512, 512 bits (16 lanes) runs the baby training step ~1.8x faster
 * (each instruction does twice the arithmetic; per-lane loads cost the same). A width the person
 * set is kept. The variable only concerns Mesa's llvmpipe/lavapipe, and Mesa reads it when Dawn
 * loads the driver, so GpuContext sets it in-process before creating Dawn's instance.
 */
export function lavapipeVectorWidth(base: NodeJS.ProcessEnv, flags: ReadonlySet<string>): string | undefined {
  if (base.LP_NATIVE_VECTOR_WIDTH) return base.LP_NATIVE_VECTOR_WIDTH;
  return flags.has('avx512f') ? '512' : undefined;
}

/** The environment for a host process started with this driver. */
export function envForDriver(candidate: DriverCandidate, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value;
  delete env.VK_ICD_FILENAMES;
  delete env.VK_DRIVER_FILES;
  if (candidate.icd) env.VK_ICD_FILENAMES = candidate.icd;
  return env;
}

/** The sentence a person sees when no driver at all gave us an adapter. */
export function missingDriverAdvice(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'linux') {
    return (
      'No WebGPU adapter was found with any Vulkan driver. Install your GPU vendor\'s Vulkan driver; ' +
      "or, to train on the CPU (slowly), install Mesa's lavapipe version 24 or newer " +
      '(Debian 12: `apt install -t bookworm-backports mesa-vulkan-drivers`) or Chromium (it ships SwiftShader), ' +
      `or point ${DRIVER_ENV} at a Vulkan ICD .json file.`
    );
  }
  return 'No WebGPU adapter was found. Update your graphics driver (Metal on macOS, D3D12 or Vulkan on Windows).';
}

interface AdapterText {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}

const CPU_ADAPTER = /llvmpipe|lavapipe|swiftshader|softpipe|microsoft basic render|warp/i;

/** Whether this adapter is a software rasterizer running on the CPU (slow: say so plainly). */
export function isCpuAdapter(info: AdapterText): boolean {
  if (info.isFallbackAdapter) return true;
  if (info.architecture.toLowerCase() === 'software') return true;
  return CPU_ADAPTER.test([info.vendor, info.architecture, info.device, info.description].join(' '));
}

/** Names the driver from what Dawn found: a 'native' start may still have landed on lavapipe. */
export function effectiveDriverKind(started: DriverKind, info: AdapterText): DriverKind {
  if (started !== 'native') return started;
  const text = [info.vendor, info.architecture, info.device, info.description].join(' ');
  if (/llvmpipe|lavapipe/i.test(text)) return 'lavapipe';
  if (/swiftshader/i.test(text)) return 'swiftshader';
  return 'native';
}

export function backendForPlatform(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'Metal';
  if (platform === 'win32') return 'D3D12';
  return 'Vulkan';
}

/**
 * AdapterReport from GpuContext, plus driver, backend and the CPU-fallback verdict. `chromium`:
 * the host is Electron's engine worker, whose WebGPU is Chromium's (a software driver found there
 * is Chromium's own SwiftShader, not a system ICD).
 */
export function gpuInfoOf(
  ctx: Pick<GpuContext, 'report' | 'features'>,
  env: NodeJS.ProcessEnv = process.env,
  chromium: boolean = Boolean(process.versions?.chrome),
): GpuInfo {
  const report = ctx.report;
  const icd = env.VK_ICD_FILENAMES || undefined;
  const started: DriverKind = icd ? kindOfIcd(icd) : 'native';
  const kind = effectiveDriverKind(started, report);
  const cpuFallback = isCpuAdapter(report);
  const names: Record<DriverKind, string> = {
    native: 'system Vulkan driver',
    lavapipe: 'Mesa lavapipe',
    swiftshader: 'SwiftShader',
    custom: 'custom Vulkan driver',
  };
  const found = chromium ? "in Electron's WebGPU" : 'system ICD';
  const label = started === 'native' && kind !== 'native' ? `${names[kind]} (${found})` : names[kind];
  return {
    vendor: report.vendor,
    architecture: report.architecture,
    device: report.device,
    description: report.description,
    backend: backendForPlatform(),
    driver: icd === undefined ? { kind, label } : { kind, icd, label },
    cpuFallback,
    isFallbackAdapter: report.isFallbackAdapter,
    features: report.features,
    limits: report.limits,
    shaderF16: ctx.features.shaderF16,
    subgroups: ctx.features.subgroups,
  };
}
