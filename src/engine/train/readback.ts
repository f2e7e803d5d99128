// A ring of staging buffers for reading small per-step metrics (loss stats, grad norm) a step or two
// late: each step's command encoder copies the metrics into the next slot, and its values are
// collected when the ring comes round again (or on drain). No step waits on the GPU unless the ring
// is full of unfinished steps.
//
// A slot is mapped only when its step should be about done (gpu/completion.ts: Dawn busy-polls the
// main thread while a map is pending, and on CPU drivers that costs the kernels a core).
import type { GpuContext } from '../gpu/device';
import { awaitQuietly, CompletionEstimate } from '../gpu/completion';
import { BufferUsage, MapMode } from '../gpu/flags';

interface Slot {
  buffer: GPUBuffer;
  pending?: { tag: number; submittedAt: number };
}

export class ReadbackRing {
  private readonly slots: Slot[];
  private next = 0;
  private readonly estimate = new CompletionEstimate();

  constructor(
    ctx: GpuContext,
    /** Bytes copied per step (multiple of 4). */
    readonly bytes: number,
    depth = 3,
    label = 'readback',
  ) {
    if (bytes % 4 !== 0 || bytes <= 0) throw new Error(`ReadbackRing: ${bytes} bytes is not a positive multiple of 4`);
    this.slots = Array.from({ length: depth }, (_, i) => ({
      buffer: ctx.createBuffer({ label: `${label}[${i}]`, size: Math.ceil(bytes / 16) * 16, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST }),
    }));
  }

  /**
   * The slot the coming step copies into. If it still holds an older step's values, they are
   * collected first (awaiting its map, which has normally long finished) and handed to `collect`.
   */
  async acquire(collect: (tag: number, values: Float32Array) => void): Promise<GPUBuffer> {
    const slot = this.slots[this.next];
    if (slot.pending) await this.collectSlot(slot, collect);
    return slot.buffer;
  }

  /** After submit: the slot just filled holds this step's values (tagged, e.g. with the step number). */
  commit(tag: number): void {
    const slot = this.slots[this.next];
    slot.pending = { tag, submittedAt: performance.now() };
    this.next = (this.next + 1) % this.slots.length;
  }

  /** Collects every step still in flight, oldest first. */
  async drain(collect: (tag: number, values: Float32Array) => void): Promise<void> {
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[(this.next + i) % this.slots.length];
      if (slot.pending) await this.collectSlot(slot, collect);
    }
  }

  private async collectSlot(slot: Slot, collect: (tag: number, values: Float32Array) => void): Promise<void> {
    const { tag, submittedAt } = slot.pending!;
    slot.pending = undefined;
    await awaitQuietly(this.estimate, submittedAt, () => slot.buffer.mapAsync(MapMode.READ));
    const values = new Float32Array(slot.buffer.getMappedRange(0, this.bytes).slice(0));
    slot.buffer.unmap();
    collect(tag, values);
  }

  destroy(): void {
    for (const s of this.slots) s.buffer.destroy();
  }
}
