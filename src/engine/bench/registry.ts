// Where benchmarks register. A suite is a file named `*.bench.ts` anywhere under src/engine that
// calls registerBench(); `npm run bench` imports every such file, so ops (H3) and the full training
// step (H4) add theirs without touching the runner. A case either hands over a Recorder (timed
// with GPU timestamps where available) or an async run() (timed with the wall clock).
import type { GpuContext } from '../gpu/device';
import type { Recorder } from '../gpu/kernel';

export interface BenchInstance {
  /** A recorded schedule to replay and time. */
  recorder?: Recorder;
  /** Or a whole step to time by wall clock (e.g. upload + replay + readback ring). */
  run?: () => Promise<void>;
  dispose(): void;
}

export interface BenchCase {
  /** e.g. 'vec4.4x4.wg8x8 NN' */
  name: string;
  /** e.g. '512x512x512' or 'B=12 T=64' */
  shape: string;
  /** Work per run, for GFLOP/s. */
  flops?: number;
  /** Bytes moved per run, for GB/s (memory-bound ops). */
  bytes?: number;
  /** Tokens per step, for tokens/s (training steps). */
  tokens?: number;
  /** Steps one run() performs (default 1): times are reported per step. */
  stepsPerRun?: number;
  setup(ctx: GpuContext): BenchInstance | Promise<BenchInstance>;
}

export interface BenchOptions {
  /** Fewer and smaller cases (a CI smoke run). */
  quick: boolean;
}

export interface BenchSuite {
  /** e.g. 'matmul', 'layernorm', 'train.baby-shakespeare-char' */
  name: string;
  cases(ctx: GpuContext, options: BenchOptions): BenchCase[];
}

const suites: BenchSuite[] = [];

export function registerBench(suite: BenchSuite): void {
  if (suites.some((s) => s.name === suite.name)) throw new Error(`registerBench: suite '${suite.name}' registered twice`);
  suites.push(suite);
}

export function benchSuites(): readonly BenchSuite[] {
  return suites;
}
