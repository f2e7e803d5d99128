// What the app's engine window may load, and how a Vulkan driver choice becomes Chromium switches.
// The engine runs on Electron's own WebGPU, whose GPU process starts once per app launch: the driver
// is chosen by command-line switches (and, for an ICD file, VK_ICD_FILENAMES) set before the app is
// ready, so changing it means relaunching the app. No Electron imports: unit-tested under Node.
import { existsSync } from 'node:fs';
import type { DriverChoice } from '../protocol/index.ts';
import { type DriverCandidate, DRIVER_ENV, type Exists, kindOfIcd, lavapipeIcds } from '../engine/gpu/drivers.ts';

/** One Chromium switch: a name and, for valued switches, its value. */
export type ChromiumSwitch = readonly [name: string, value?: string];

export interface ChromiumGpuSetup {
  /** The choice this launch runs with (what the supervisor reports as its driver). */
  candidate: DriverCandidate;
  switches: ChromiumSwitch[];
  /** Variables to set in the main process's environment before the GPU process starts. */
  env: Record<string, string>;
  /** Said in the engine log when the choice could not be honoured as asked. */
  warning?: string;
}

/**
 * The Chromium setup for a driver choice (the `choice` argument, else PRETRAIN_STUDIO_VULKAN_ICD,
 * else a VK_ICD_FILENAMES the person set). On Linux WebGPU needs Vulkan and, in Chromium 156,
 * --enable-unsafe-webgpu; with no GPU, Chromium's Dawn falls back to the SwiftShader it ships by
 * itself (measured with Debian's Chromium 156 here), so 'auto' needs no more. Chromium does not
 * use Mesa's lavapipe (a CPU Vulkan device) for WebGPU even with VK_ICD_FILENAMES pointing at it
 * (it treats the machine as software-only): the lavapipe choice is passed on as asked and warned
 * about, and ends on SwiftShader or no adapter.
 */
export function chromiumGpuSetup(
  choice: DriverChoice | string | undefined,
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  exists: Exists = existsSync,
): ChromiumGpuSetup {
  const explicit = choice && choice !== 'auto' ? choice : env[DRIVER_ENV] || env.VK_ICD_FILENAMES || 'auto';
  // Dawn rounds GPU timestamps (a browser's timing-attack defence); the engine window runs only our
  // own shaders, and start-up matmul tuning needs exact timings to tell the kernels apart.
  const timers: ChromiumSwitch = ['disable-dawn-features', 'timestamp_quantization'];
  if (platform !== 'linux') {
    const candidate: DriverCandidate = { kind: 'native', label: "Electron's WebGPU (the system's GPU driver)" };
    const ignored = explicit !== 'auto' && explicit !== 'native';
    return { candidate, switches: [timers], env: {}, warning: ignored ? `The ${explicit} driver choice applies on Linux only; using the system's GPU driver.` : undefined };
  }
  const base: ChromiumSwitch[] = [['enable-unsafe-webgpu'], ['enable-features', 'Vulkan'], timers];
  if (explicit === 'auto' || explicit === 'native') {
    const label = explicit === 'auto' ? "Electron's WebGPU (GPU first, else Chromium's SwiftShader)" : "Electron's WebGPU (the system's Vulkan driver)";
    return { candidate: { kind: 'native', label }, switches: base, env: {} };
  }
  if (explicit === 'swiftshader') {
    return {
      candidate: { kind: 'swiftshader', label: "Chromium's SwiftShader (CPU)" },
      switches: [...base, ['use-webgpu-adapter', 'swiftshader']],
      env: {},
    };
  }
  const icd = explicit === 'lavapipe' ? lavapipeIcds(exists)[0] : explicit;
  if (!icd) {
    return {
      candidate: { kind: 'native', label: "Electron's WebGPU (GPU first, else Chromium's SwiftShader)" },
      switches: base,
      env: {},
      warning: "Mesa's lavapipe was not found; using the GPU, else Chromium's SwiftShader.",
    };
  }
  const kind = kindOfIcd(icd);
  return {
    candidate: { kind, icd, label: `${kind === 'lavapipe' ? 'Mesa lavapipe' : 'Vulkan driver'} (${icd})` },
    switches: [...base, ['use-vulkan', 'native']],
    env: { VK_ICD_FILENAMES: icd },
    warning:
      kind === 'lavapipe'
        ? "Chromium's WebGPU does not use Mesa's lavapipe (a CPU Vulkan driver): expect SwiftShader, or no adapter (then choose SwiftShader)."
        : undefined,
  };
}

/**
 * Whether the engine window may load `url`: only files under its own built folder (`dirUrl`, a
 * file:// URL ending in '/'). URL parsing resolves '..' first, so nothing escapes the folder.
 */
export function isEngineWindowUrl(url: string, dirUrl: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'file:' && dirUrl.endsWith('/') && parsed.href.startsWith(dirUrl);
}
