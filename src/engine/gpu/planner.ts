// Activation memory planner for a recorded schedule: tensors declared with the steps that use them
// are packed into one arena buffer, 256-byte aligned, reusing the space of tensors whose lifetime
// ended (piston's tensor_usage_record; TFLite's "greedy by size": place the largest first, each at
// the lowest offset that does not overlap a placed tensor whose lifetime intersects its own).
//
//   const plan = new Planner();
//   const h = plan.tensor([B, T, C], 'ln1.out');   // declare
//   plan.use(h, 3); plan.use(h, 7);                 // steps (e.g. dispatch indices) that touch it
//   const arena = plan.allocate(ctx);               // one buffer
//   arena.tensor(h)                                 // -> Tensor view into it
import type { GpuContext } from './device';
import { alignOffset, numel, STORAGE_USAGE, type DType, Tensor } from './tensor';

export interface PlannedTensor {
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly label: string;
  /** First and last step that touch it (inclusive); -1 until used. */
  first: number;
  last: number;
  /** Kept alive for the whole schedule (inputs written before it, outputs read after it). */
  pinned: boolean;
}

export interface Placement {
  tensor: PlannedTensor;
  offset: number;
  bytes: number;
}

export class Planner {
  private readonly tensors: PlannedTensor[] = [];

  constructor(readonly alignment = 256) {}

  tensor(shape: readonly number[], label = `t${this.tensors.length}`, dtype: DType = 'f32'): PlannedTensor {
    const t: PlannedTensor = { id: this.tensors.length, shape, dtype, label, first: -1, last: -1, pinned: false };
    this.tensors.push(t);
    return t;
  }

  /** Marks `t` as touched at `step` (any integer order: dispatch index, op index). */
  use(t: PlannedTensor, step: number): this {
    t.first = t.first < 0 ? step : Math.min(t.first, step);
    t.last = Math.max(t.last, step);
    return this;
  }

  /** Keeps `t` live for the whole schedule. */
  pin(t: PlannedTensor): this {
    t.pinned = true;
    return this;
  }

  /** Computes offsets (no GPU needed): bytes is the arena size, naiveBytes the sum of all tensors. */
  place(): { placements: Placement[]; bytes: number; naiveBytes: number } {
    const end = Math.max(0, ...this.tensors.map((t) => t.last));
    const span = (t: PlannedTensor): [number, number] => (t.pinned || t.first < 0 ? [0, end] : [t.first, t.last]);
    const overlaps = (a: PlannedTensor, b: PlannedTensor) => {
      const [a0, a1] = span(a);
      const [b0, b1] = span(b);
      return a0 <= b1 && b0 <= a1;
    };
    const sized = this.tensors.map((t) => ({ tensor: t, bytes: alignOffset(Math.max(4, numel(t.shape) * 4), this.alignment) }));
    const order = [...sized].sort((x, y) => y.bytes - x.bytes || x.tensor.id - y.tensor.id);
    const placed: Placement[] = [];
    let bytes = 0;
    for (const item of order) {
      // Occupied intervals of live neighbours, by offset; take the first gap that fits.
      const busy = placed.filter((p) => overlaps(p.tensor, item.tensor)).sort((x, y) => x.offset - y.offset);
      let offset = 0;
      for (const p of busy) {
        if (p.offset - offset >= item.bytes) break;
        offset = Math.max(offset, p.offset + p.bytes);
      }
      placed.push({ tensor: item.tensor, offset, bytes: item.bytes });
      bytes = Math.max(bytes, offset + item.bytes);
    }
    placed.sort((x, y) => x.tensor.id - y.tensor.id);
    return { placements: placed, bytes, naiveBytes: sized.reduce((s, x) => s + x.bytes, 0) };
  }

  /** Creates the arena buffer; refuses up front, with the numbers, what the device cannot hold. */
  allocate(ctx: GpuContext, label = 'activations'): Arena {
    const { placements, bytes, naiveBytes } = this.place();
    const max = ctx.limits.maxBufferSize;
    if (bytes > max) {
      throw new Error(`Planner(${label}): needs ${bytes} bytes in one buffer, past this adapter's maxBufferSize ${max}`);
    }
    const buffer = ctx.createBuffer({ label, size: Math.max(bytes, 16), usage: STORAGE_USAGE });
    return new Arena(ctx, buffer, placements, naiveBytes);
  }
}

export class Arena {
  private readonly views = new Map<PlannedTensor, Tensor>();

  constructor(
    readonly ctx: GpuContext,
    readonly buffer: GPUBuffer,
    readonly placements: readonly Placement[],
    /** What separate buffers would have taken: the saving is naiveBytes - buffer.size. */
    readonly naiveBytes: number,
  ) {
    for (const p of placements) {
      this.views.set(p.tensor, new Tensor(ctx, p.tensor.shape, buffer, p.offset, p.tensor.dtype, false));
    }
  }

  tensor(t: PlannedTensor): Tensor {
    const v = this.views.get(t);
    if (!v) throw new Error(`Arena: tensor '${t.label}' was not planned in this arena`);
    return v;
  }

  get bytes(): number {
    return this.buffer.size;
  }

  destroy(): void {
    this.buffer.destroy();
  }
}
