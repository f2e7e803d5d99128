// The Vulkan driver for a CLI command, chosen the way the app's supervisor chooses one
// (src/engine/gpu/drivers.ts: an explicit choice, else the system's drivers, then lavapipe, then
// SwiftShader). Dawn reads VK_ICD_FILENAMES only when the process starts, so the command
// re-runs itself as a child per candidate; a child that finds no adapter exits with NO_ADAPTER and
// the next candidate is tried. Ctrl-C reaches the child from the terminal; the parent only waits.
import { spawn } from 'node:child_process';
import { adapterChoiceFromEnv, adapterOptions } from '../engine/gpu/adapters.ts';
import { driverPlan, envForDriver, gpuInfoOf, missingDriverAdvice } from '../engine/gpu/drivers.ts';
import { dawnGpuInstance } from '../engine/gpu/dawn.ts';
import { GpuContext } from '../engine/gpu/device.ts';
import { prepareMatmul } from '../engine/ops/matmul-tune.ts';

/** Exit code of a child that found no WebGPU adapter with its driver (EX_TEMPFAIL). */
export const NO_ADAPTER = 75;
const CHILD_MARK = 'PRETRAIN_STUDIO_CLI_CHILD';

/**
 * In the parent: runs this same command once per driver candidate until one finds an adapter,
 * then exits with that child's code (never returns). In the child (or when the person set
 * VK_ICD_FILENAMES themselves): returns, and the command runs in this process.
 */
export async function runWithDriver(choice: string): Promise<void> {
  if (process.env[CHILD_MARK] === '1') return;
  if (process.env.VK_ICD_FILENAMES && (choice === 'auto' || choice === '')) return;
  const plan = driverPlan(choice === '' ? 'auto' : choice);
  if (plan.length === 0) {
    process.stderr.write(`No Vulkan driver '${choice}' was found on this machine.\n${missingDriverAdvice()}\n`);
    process.exit(1);
  }
  // The parent ignores Ctrl-C (the child gets it from the terminal and saves a checkpoint); a
  // SIGTERM sent to the parent alone is passed on.
  let child: ReturnType<typeof spawn> | null = null;
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child?.kill('SIGTERM'));
  for (const candidate of plan) {
    const env = { ...envForDriver(candidate), [CHILD_MARK]: '1' };
    child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { env, stdio: 'inherit' });
    const code = await new Promise<number>((resolve) => child!.on('exit', (c, signal) => resolve(c ?? (signal === 'SIGINT' ? 130 : 1))));
    if (code !== NO_ADAPTER) process.exit(code);
    process.stderr.write(`no WebGPU adapter through ${candidate.label}; trying the next driver\n`);
  }
  process.stderr.write(`${missingDriverAdvice()}\n`);
  process.exit(1);
}

/** Opens the GPU (exiting with NO_ADAPTER if this driver offers none) and says which adapter it is. */
export async function openGpu(log: (line: string) => void): Promise<GpuContext> {
  let ctx: GpuContext;
  try {
    // PRETRAIN_STUDIO_ADAPTER picks the adapter, as it does for the app's and serve's engine host.
    ctx = await GpuContext.open({ gpu: dawnGpuInstance(), ...adapterOptions(adapterChoiceFromEnv()) });
  } catch (err) {
    log(`no WebGPU adapter: ${(err as Error).message}`);
    // A child of runWithDriver says so with NO_ADAPTER (the parent tries the next driver).
    process.exit(process.env[CHILD_MARK] === '1' ? NO_ADAPTER : 1);
  }
  const info = gpuInfoOf(ctx);
  const name = info.description || info.device || info.vendor || 'unknown adapter';
  log(`GPU: ${name} (${info.backend}, ${info.driver.label})`);
  if (info.cpuFallback) log(`warning: no GPU in use: running on the CPU through ${info.driver.label}, a software driver, so expect it to be slow`);
  await prepareMatmul(ctx, info.cpuFallback, log);
  return ctx;
}
