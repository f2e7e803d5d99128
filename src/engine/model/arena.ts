// Named tensors planned first (names, shapes), then allocated once per step shape (llm.c's
// fill_in_activation_sizes / malloc_and_point_activations). allocate() creates no buffer: each
// tensor gets a stand-in that the lifetime planner (gpu/planner.ts) swaps for a real buffer when
// the first recording that binds it is finished, or the host first reads or writes one of them.
// Tensors whose lifetimes never overlap then share a buffer; inputs, outputs and anything pinned
// keep their own. Every arena allocated on a context before that moment is planned together.
import type { GpuContext } from '../gpu/device';
import { BufferSizeError, formatBytes, PoolGroup, type PlannedBuffer, pinBuffer } from '../gpu/planner';
import { type DType, Tensor } from '../gpu/tensor';

interface Slot {
  shape: number[];
  dtype: DType;
  pin: boolean;
}

export interface AddOptions {
  /**
   * Keep this tensor's own buffer: the host reads or writes it around the recordings (the planner
   * finds inputs and outputs by itself: a tensor read before written, or written last, in a recording).
   */
  pin?: boolean;
}

export class ArenaPlan {
  private readonly slots = new Map<string, Slot>();

  constructor(readonly label: string) {}

  /** Reserves `name` (a fresh name) of `shape`; returns the name for chaining into structs. */
  add(name: string, shape: readonly number[], dtype: DType = 'f32', options: AddOptions = {}): string {
    if (this.slots.has(name)) throw new Error(`${this.label}: tensor '${name}' planned twice`);
    this.slots.set(name, { shape: [...shape], dtype, pin: options.pin ?? false });
    return name;
  }

  /** What one buffer per tensor would take (16-byte aligned, as buffers are): the unpooled figure. */
  get bytes(): number {
    let n = 0;
    for (const s of this.slots.values()) n += slotBytes(s);
    return n;
  }

  /** Tensors bound to planner stand-ins; no buffer is created until the group is planned. */
  allocate(ctx: GpuContext): Arena {
    // Refuse what no buffer can hold before anything else, naming the largest such tensor.
    const max = ctx.limits.maxBufferSize;
    const over = [...this.slots].filter(([, s]) => slotBytes(s) > max).sort((a, b) => slotBytes(b[1]) - slotBytes(a[1]));
    if (over.length) {
      const [name, s] = over[0];
      const more = over.length > 1 ? ` (and ${over.length - 1} more tensors of ${this.label})` : '';
      throw new BufferSizeError(`tensor '${this.label}.${name}' [${s.shape}] needs ${formatBytes(slotBytes(s))}, above this adapter's maxBufferSize of ${formatBytes(max)}${more}`);
    }
    const group = PoolGroup.open(ctx);
    const arena = new Arena(this.label, group);
    for (const [name, s] of this.slots) {
      const planned = group.add(`${this.label}.${name}`, s.shape, slotBytes(s), arena);
      if (s.pin) pinBuffer(planned);
      arena.set(name, new Tensor(ctx, s.shape, planned as unknown as GPUBuffer, 0, s.dtype, false), planned);
    }
    return arena;
  }
}

function slotBytes(s: Slot): number {
  return Math.ceil(Math.max(16, s.shape.reduce((a, b) => a * b, 1) * 4) / 16) * 16;
}

export class Arena {
  private readonly views = new Map<string, Tensor>();
  private readonly planned = new Map<string, PlannedBuffer>();

  constructor(
    readonly label: string,
    readonly group: PoolGroup,
  ) {}

  /** @internal ArenaPlan.allocate's. */
  set(name: string, t: Tensor, planned: PlannedBuffer): void {
    this.views.set(name, t);
    this.planned.set(name, planned);
  }

  get(name: string): Tensor {
    const t = this.views.get(name);
    if (!t) throw new Error(`${this.label}: no tensor '${name}'`);
    return t;
  }

  has(name: string): boolean {
    return this.views.has(name);
  }

  /** Keeps `name` out of sharing (the host reads or writes it); only before the arena is planned. */
  pin(name: string): Tensor {
    const t = this.get(name);
    pinBuffer(this.planned.get(name)!);
    return t;
  }

  /** Every tensor, in planning order. */
  entries(): [string, Tensor][] {
    return [...this.views];
  }

  /** Bytes of the distinct buffers holding this arena's tensors (plans the group if needed; shared ones count here and in the other arenas they serve). */
  get bytes(): number {
    const buffers = new Set<GPUBuffer>();
    for (const p of this.planned.values()) buffers.add(p.resolve());
    let n = 0;
    for (const b of buffers) n += b.size;
    return n;
  }

  /** Releases this arena's share of the pooled buffers (a buffer shared with a live arena stays). */
  destroy(): void {
    this.group.release(this);
  }
}
