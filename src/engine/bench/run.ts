// Runs registered benchmark cases and reports, per case, the median time and the derived rates.
import type { GpuContext } from '../gpu/device';
import { type ClockSource, GpuTimer, median } from '../gpu/timing';
import { type BenchOptions, benchSuites } from './registry';

export interface BenchResult {
  suite: string;
  name: string;
  shape: string;
  /** Median ms per run, over `samples`. */
  ms: number;
  samples: number[];
  clock: ClockSource;
  /**
   * Process CPU time per run (all threads: software drivers run in-process), over the samples.
   * On a shared machine it is steadier than wall time: work / cpuMs is a rate per busy core.
   */
  cpuMs?: number;
  gflops?: number;
  /** GFLOP per CPU-second (flops / cpuMs): the rate per busy core, little moved by contention. */
  gflopsPerCpuSecond?: number;
  gbps?: number;
  tokensPerSecond?: number;
  error?: string;
}

export interface RunOptions extends BenchOptions {
  /** Only cases whose 'suite name shape' contains this. */
  filter?: string;
  samples?: number;
  onResult?: (r: BenchResult) => void;
}

export async function runBenchmarks(ctx: GpuContext, options: RunOptions): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const timer = new GpuTimer(ctx);
  const samples = options.samples ?? (options.quick ? 3 : 5);
  try {
    for (const suite of benchSuites()) {
      for (const c of suite.cases(ctx, options)) {
        if (options.filter && !`${suite.name} ${c.name} ${c.shape}`.includes(options.filter)) continue;
        const result: BenchResult = { suite: suite.name, name: c.name, shape: c.shape, ms: NaN, samples: [], clock: 'wall' };
        try {
          const instance = await c.setup(ctx);
          const steps = instance.run ? (c.stepsPerRun ?? 1) : 1; // times are per step
          try {
            let cpu0 = process.cpuUsage();
            if (instance.recorder) {
              await timer.sample(instance.recorder); // warm-up (pipeline compile)
              cpu0 = process.cpuUsage();
              for (let i = 0; i < samples; i++) result.samples.push(await timer.sample(instance.recorder));
              Object.assign(result, { ms: median(result.samples), clock: timer.source });
            } else if (instance.run) {
              await instance.run();
              cpu0 = process.cpuUsage();
              for (let i = 0; i < samples; i++) {
                const t0 = performance.now();
                await instance.run();
                result.samples.push((performance.now() - t0) / steps);
              }
              result.ms = median(result.samples);
            }
            const cpu = process.cpuUsage(cpu0);
            result.cpuMs = (cpu.user + cpu.system) / 1000 / samples / steps;
          } finally {
            instance.dispose();
          }
          const seconds = result.ms / 1000;
          if (c.flops) result.gflops = c.flops / seconds / 1e9;
          if (c.flops && result.cpuMs) result.gflopsPerCpuSecond = c.flops / (result.cpuMs / 1000) / 1e9;
          if (c.bytes) result.gbps = c.bytes / seconds / 1e9;
          if (c.tokens) result.tokensPerSecond = c.tokens / seconds;
        } catch (e) {
          result.error = (e as Error).message;
        }
        results.push(result);
        options.onResult?.(result);
      }
    }
  } finally {
    timer.destroy();
  }
  return results;
}
