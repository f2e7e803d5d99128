// Reads small tensors (loss, metrics) a step or two late without ever stalling a step: each step
// copies them into the next of `depth` staging buffers inside the step's own command encoder, then
// maps that buffer asynchronously; values arrive when the GPU gets there. If every slot is still
// in flight (the GPU is `depth` steps behind), the step's copy is skipped and counted, never waited.
//
//   const ring = new ReadbackRing(ctx, [loss, correct], { depth: 3 });
//   each step:  const enc = device.createCommandEncoder(); rec.encode(enc);
//               ring.copy(enc, step); device.queue.submit([enc.finish()]); ring.submitted();
//               for (const r of ring.drain()) log(r.tag, r.values)
import type { GpuContext } from './device';
import { BufferUsage, MapMode } from './flags';
import type { Tensor } from './tensor';

export interface Readback {
  /** What the caller passed to copy(), e.g. the step number. */
  tag: number;
  /** One Float32Array per source tensor, in the order given. */
  values: Float32Array[];
}

interface Slot {
  buffer: GPUBuffer;
  state: 'free' | 'copied' | 'mapping';
  tag: number;
}

export class ReadbackRing {
  private readonly slots: Slot[];
  private readonly offsets: number[] = [];
  private readonly bytes: number;
  private readonly ready: Readback[] = [];
  private pendingSlot: Slot | undefined;
  private inFlight = new Set<Promise<void>>();
  /** Steps whose values were skipped because every slot was still mapping. */
  skipped = 0;

  constructor(
    readonly ctx: GpuContext,
    readonly sources: readonly Tensor[],
    options: { depth?: number; label?: string } = {},
  ) {
    let offset = 0;
    for (const t of sources) {
      this.offsets.push(offset);
      offset += Math.ceil(t.byteLength / 4) * 4;
    }
    this.bytes = Math.max(4, offset);
    const depth = options.depth ?? 3;
    this.slots = Array.from({ length: depth }, (_, i) => ({
      buffer: ctx.createBuffer({
        label: `${options.label ?? 'readback'}.${i}`,
        size: this.bytes,
        usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST,
      }),
      state: 'free' as Slot['state'],
      tag: -1,
    }));
  }

  /** Records copies of the sources into a free slot; returns false (and counts a skip) if none is free. */
  copy(encoder: GPUCommandEncoder, tag: number): boolean {
    const slot = this.slots.find((s) => s.state === 'free');
    if (!slot) {
      this.skipped++;
      return false;
    }
    this.sources.forEach((t, i) => {
      encoder.copyBufferToBuffer(t.buffer, t.byteOffset, slot.buffer, this.offsets[i], t.byteLength);
    });
    slot.state = 'copied';
    slot.tag = tag;
    this.pendingSlot = slot;
    return true;
  }

  /** Call after submitting the encoder given to copy(): starts the asynchronous map. */
  submitted(): void {
    const slot = this.pendingSlot;
    if (!slot) return;
    this.pendingSlot = undefined;
    slot.state = 'mapping';
    const done = slot.buffer
      .mapAsync(MapMode.READ)
      .then(() => {
        const all = slot.buffer.getMappedRange();
        const values = this.sources.map((t, i) => new Float32Array(all.slice(this.offsets[i], this.offsets[i] + t.byteLength)));
        slot.buffer.unmap();
        this.ready.push({ tag: slot.tag, values });
      })
      .catch(() => {
        // Device lost or destroyed: the slot's values are gone; the caller sees ctx.lostReason.
      })
      .finally(() => {
        slot.state = 'free';
        this.inFlight.delete(done);
      });
    this.inFlight.add(done);
  }

  /** Values that have arrived since the last drain, oldest first. Never waits. */
  drain(): Readback[] {
    const out = this.ready.splice(0).sort((a, b) => a.tag - b.tag);
    return out;
  }

  /** Waits for every slot in flight (end of training, tests). */
  async flush(): Promise<Readback[]> {
    await Promise.all([...this.inFlight]);
    return this.drain();
  }

  destroy(): void {
    for (const s of this.slots) s.buffer.destroy();
  }
}
