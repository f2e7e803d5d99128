// Times a recorded schedule: GPU timestamp queries around the replays where the adapter offers
// `timestamp-query`, else wall clock from submit to onSubmittedWorkDone (which includes the queue's
// own latency: a fair upper bound, and the only clock software drivers may give).
import type { GpuContext } from './device';
import { BufferUsage, MapMode } from './flags';
import type { Recorder } from './kernel';

export type ClockSource = 'timestamp' | 'wall';

export interface Timing {
  /** Milliseconds per replay, one entry per sample. */
  samples: number[];
  median: number;
  source: ClockSource;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export class GpuTimer {
  private querySet: GPUQuerySet | undefined;
  private resolve: GPUBuffer | undefined;
  private readback: GPUBuffer | undefined;

  constructor(
    readonly ctx: GpuContext,
    /** Force the wall clock (e.g. when timestamps proved unreliable). */
    wallClock = false,
  ) {
    if (ctx.features.timestampQuery && !wallClock) {
      this.querySet = ctx.device.createQuerySet({ type: 'timestamp', count: 2 });
      this.resolve = ctx.createBuffer({ size: 16, usage: BufferUsage.QUERY_RESOLVE | BufferUsage.COPY_SRC });
      this.readback = ctx.createBuffer({ size: 16, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    }
  }

  get source(): ClockSource {
    return this.querySet ? 'timestamp' : 'wall';
  }

  /** One sample: `replays` back-to-back replays of `rec` in one submit; returns ms per replay. */
  async sample(rec: Recorder, replays = 1): Promise<number> {
    const { device } = this.ctx;
    const encoder = device.createCommandEncoder();
    for (let r = 0; r < replays; r++) {
      const writes: GPUComputePassTimestampWrites | undefined = this.querySet
        ? {
            querySet: this.querySet,
            ...(r === 0 ? { beginningOfPassWriteIndex: 0 } : {}),
            ...(r === replays - 1 ? { endOfPassWriteIndex: 1 } : {}),
          }
        : undefined;
      rec.encode(encoder, writes && (r === 0 || r === replays - 1) ? writes : undefined);
    }
    if (this.querySet) {
      encoder.resolveQuerySet(this.querySet, 0, 2, this.resolve!, 0);
      encoder.copyBufferToBuffer(this.resolve!, 0, this.readback!, 0, 16);
    }
    const start = performance.now();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    const wall = performance.now() - start;
    if (this.ctx.lostReason) throw new Error(this.ctx.lostReason);
    if (!this.querySet) return wall / replays;
    await this.readback!.mapAsync(MapMode.READ);
    const [t0, t1] = new BigInt64Array(this.readback!.getMappedRange().slice(0));
    this.readback!.unmap();
    const ns = Number(t1 - t0);
    // Some drivers report zeros or garbage: fall back to the wall clock for this sample.
    return ns > 0 && ns < wall * 1e6 * 2 ? ns / 1e6 / replays : wall / replays;
  }

  /** Warms up once, then takes `samples` samples; reports the median. */
  async time(rec: Recorder, options: { samples?: number; replays?: number } = {}): Promise<Timing> {
    const replays = options.replays ?? 1;
    await this.sample(rec, 1);
    const samples: number[] = [];
    for (let i = 0; i < (options.samples ?? 5); i++) samples.push(await this.sample(rec, replays));
    return { samples, median: median(samples), source: this.source };
  }

  destroy(): void {
    this.querySet?.destroy();
    this.resolve?.destroy();
    this.readback?.destroy();
  }
}
