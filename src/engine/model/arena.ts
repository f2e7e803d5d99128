// Named tensors planned first (names, shapes), then allocated once per step shape (llm.c's
// fill_in_activation_sizes / malloc_and_point_activations). Each tensor gets its OWN buffer:
// WebGPU forbids binding one buffer both read-only and writable in a dispatch, even at disjoint
// ranges, and nearly every op reads one activation and writes another. (Lifetime-based reuse is
// the memory planner's job; this is the simple first plan.)
import type { GpuContext } from '../gpu/device';
import { type DType, STORAGE_USAGE, Tensor } from '../gpu/tensor';

const ALIGN_FLOATS = 64;

interface Slot {
  shape: number[];
  dtype: DType;
  offset: number; // floats
}

export class ArenaPlan {
  private readonly slots = new Map<string, Slot>();
  private cursor = 0;

  constructor(readonly label: string) {}

  /** Reserves `name` (a fresh name) of `shape`; returns the name for chaining into structs. */
  add(name: string, shape: readonly number[], dtype: DType = 'f32'): string {
    if (this.slots.has(name)) throw new Error(`${this.label}: tensor '${name}' planned twice`);
    const n = Math.max(1, shape.reduce((a, b) => a * b, 1));
    this.slots.set(name, { shape: [...shape], dtype, offset: this.cursor });
    this.cursor += Math.ceil(n / ALIGN_FLOATS) * ALIGN_FLOATS;
    return name;
  }

  get floats(): number {
    return Math.max(ALIGN_FLOATS, this.cursor);
  }

  get bytes(): number {
    return this.floats * 4;
  }

  /** Creates the buffers; throws naming the tensor, its size and the limit if one cannot be held. */
  allocate(ctx: GpuContext): Arena {
    const max = ctx.limits.maxBufferSize;
    const views = new Map<string, Tensor>();
    for (const [name, s] of this.slots) {
      const bytes = Math.max(16, s.shape.reduce((a, b) => a * b, 1) * 4);
      if (bytes > max) throw new Error(`${this.label}: tensor '${name}' [${s.shape}] needs ${bytes} bytes, above maxBufferSize ${max}`);
      const buffer = ctx.createBuffer({ label: `${this.label}.${name}`, size: Math.ceil(bytes / 16) * 16, usage: STORAGE_USAGE });
      views.set(name, new Tensor(ctx, s.shape, buffer, 0, s.dtype, true));
    }
    return new Arena(this.label, views);
  }
}

export class Arena {
  constructor(
    readonly label: string,
    private readonly views: Map<string, Tensor>,
  ) {}

  get(name: string): Tensor {
    const t = this.views.get(name);
    if (!t) throw new Error(`${this.label}: no tensor '${name}'`);
    return t;
  }

  has(name: string): boolean {
    return this.views.has(name);
  }

  /** Every tensor, in planning order. */
  entries(): [string, Tensor][] {
    return [...this.views];
  }

  get bytes(): number {
    let n = 0;
    for (const t of this.views.values()) n += t.buffer.size;
    return n;
  }

  destroy(): void {
    for (const t of this.views.values()) t.destroy();
  }
}
