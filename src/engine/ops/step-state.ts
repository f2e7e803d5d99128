// The per-replay values of a training step, in one small GPU buffer written with
// queue.writeBuffer before each submit, so a recorded trace replays without new bind groups:
//   word 0: step  u32  optimizer step t, 1-based (AdamW bias correction; dropout masks)
//   word 1: seed  u32  dropout seed (vary it per micro-batch when accumulating gradients)
//   word 2: lr    f32  learning rate for this step
//   word 3: reserved
// WGSL: struct StepState { step: u32, seed: u32, lr: f32, reserved: u32 } bound as read-only storage.
import type { GpuContext } from '../gpu/device';
import { BufferUsage } from '../gpu/flags';

export interface StepValues {
  step: number;
  seed: number;
  lr: number;
}

export class StepState {
  readonly buffer: GPUBuffer;
  private readonly words = new Uint32Array(4);
  private readonly floats = new Float32Array(this.words.buffer);

  constructor(readonly ctx: GpuContext) {
    this.buffer = ctx.createBuffer({ label: 'step-state', size: 16, usage: BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC });
    this.set({ step: 1, seed: 0, lr: 0 });
  }

  /** Queues the values for the next submit (no allocation). */
  set(values: StepValues): void {
    if (!Number.isInteger(values.step) || values.step < 1) throw new Error(`StepState: step must be an integer >= 1, got ${values.step}`);
    this.words[0] = values.step;
    this.words[1] = values.seed >>> 0;
    this.floats[2] = values.lr;
    this.ctx.device.queue.writeBuffer(this.buffer, 0, this.words);
  }

  binding(): GPUBufferBinding {
    return { buffer: this.buffer, offset: 0, size: 16 };
  }

  destroy(): void {
    this.buffer.destroy();
  }
}
