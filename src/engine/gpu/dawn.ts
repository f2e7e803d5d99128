// Dawn's Node bindings (the `webgpu` package) as the engine's GPU entry, for headless hosts: the
// CLI, `serve`'s engine host, benchmarks and tests. Node only: never import this from code that
// runs in a browser or in Electron (whose V8 memory cage rejects the external ArrayBuffers Dawn's
// getMappedRange() returns); there the host passes navigator.gpu instead.
import { create, globals } from 'webgpu';
import { setGpuProvider } from './device.ts';
import { cpuFlags, lavapipeVectorWidth } from './drivers.ts';

// Dawn's `create()` result must stay reachable for the life of the process: if it is collected,
// the process crashes later. Module scope keeps it.
let dawnGpu: GPU | undefined;
// Dawn rounds timestamp queries to a coarse step (a browser's defence against timing attacks):
// on an H200 every matmul up to 512³ timed 65.5 µs, so start-up tuning chose among equal numbers
// and the bench reported steps of 0.0655 ms. A headless process runs only our own shaders.
const DEFAULT_DAWN_FLAGS = ['disable-dawn-features=timestamp_quantization'];
let dawnFlags: string[] = [...DEFAULT_DAWN_FLAGS];

/**
 * Flags for Dawn's `create()` (e.g. 'enable-dawn-features=disable_robustness'); only effective
 * before the first GpuContext.open() of the process.
 */
export function setDawnFlags(flags: readonly string[]): void {
  if (dawnGpu) throw new Error('setDawnFlags: Dawn is already created in this process');
  dawnFlags = [...DEFAULT_DAWN_FLAGS, ...flags];
}

/** Dawn's GPU object, created on first use (with the lavapipe vector width set first). */
export function dawnGpuInstance(): GPU {
  if (!dawnGpu) {
    // Mesa reads LP_NATIVE_VECTOR_WIDTH when Dawn loads the driver, i.e. inside create().
    const width = lavapipeVectorWidth(process.env, cpuFlags());
    if (width) process.env.LP_NATIVE_VECTOR_WIDTH = width;
    // The engine uses WebGPU's global classes (GPUBufferUsage, …) like a browser would.
    Object.assign(globalThis, globals);
    dawnGpu = create(dawnFlags) as unknown as GPU;
  }
  return dawnGpu;
}

/** Makes Dawn the GPU of every later GpuContext.open() in this process. */
export function useDawn(): void {
  setGpuProvider(dawnGpuInstance);
}
