// Activation memory planned by lifetime (piston's tensor_usage_record, TFLite's greedy-by-size):
// tensors whose live ranges never overlap share one GPUBuffer.
//
// How it works. An arena tensor is created with a PlannedBuffer, a stand-in for the GPUBuffer the
// planner will pick. Ops bind it like any buffer; Kernel.record sees the stand-in and, instead of
// creating the bind group at once, notes on it which dispatch of which Recorder bound it and how
// (read-only or writable). The bind group is made when the recorder is finished (explicitly, or at
// its first encode). The first time any stand-in of a group must become real (a recorder is
// finished, a host read or write), the whole group is planned at once from every use recorded so
// far, and the buffers are created. A replay only encodes: it allocates nothing.
//
// Whole buffers are pooled rather than offsets packed into one big buffer: WebGPU tracks hazards
// per buffer (a dispatch may not bind one buffer both read-only and writable, even at disjoint
// ranges), and nearly every op reads one activation and writes another.
//
// THE RULE (what may share). Recorders are replayed whole, each as an unbroken run of dispatches
// (one compute pass), in any order and any number of times. So a tensor's value may be planned to
// live only within one recording, and within each recording separately:
//   - Two tensors conflict if, in some recorder, the spans from their first to last dispatch
//     (inclusive) intersect. Tensors of one arena used by several recorders (the training step's
//     forward + backward and the evaluation forward) are thus planned on every timeline at once.
//   - A tensor is PINNED (its own buffer, kept for the life of its arena) when its value must
//     outlive a recording: it is read before it is first written in some recorder (an input
//     uploaded by the host, a constant relying on the zero-filled allocation), or its last use is
//     a write in every recorder that uses it (an output read after the replay: loss statistics),
//     or no recorder had used it when the group was planned (nothing is known of it), or it was
//     pinned by name (ArenaPlan.add(..., { pin: true }), pinBuffer()) because the host reads or
//     writes it around the recordings. A tensor read last in some recording is an intermediate;
//     a final write to it elsewhere is a dead write (the evaluation forward writes dlogits, which
//     only the training recording reads), not an output: it may share.
//   - The host reaches a tensor only through Tensor.read/write/gpuBuffer and readBytes, which
//     refuse a shared one by name; so a wrong guess about outputs is an error, never a wrong value.
//   - A tensor first bound writable is taken to be defined by that dispatch: an op that
//     accumulates into an activation must follow a clear in the same recording (the graphs fill
//     before they accumulate).
// Recorders made after the plan (late recordings) are checked against it when finished, and
// refused with the names of the tensors if the plan cannot serve them.
import type { GpuContext } from './device';
import { BufferUsage } from './flags';

// tensor.ts imports this file, so its STORAGE_USAGE is restated here rather than imported.
const STORAGE_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

export type Access = 'read' | 'write';

/** Something this adapter's limits forbid (a binding, a dispatch, a buffer): the model or batch must shrink. */
export class AdapterLimitError extends Error {
  override name = 'AdapterLimitError';
}

/** A tensor no buffer of this adapter can hold. */
export class BufferSizeError extends AdapterLimitError {
  override name = 'BufferSizeError';
}

const MiB = 1024 * 1024;

export function formatBytes(n: number): string {
  if (n >= 1024 * MiB) return `${(n / 1024 / MiB).toFixed(2)} GiB`;
  if (n >= MiB) return `${(n / MiB).toFixed(1)} MiB`;
  return `${(n / 1024).toFixed(1)} KiB`;
}

/** What one recorder does with a tensor: the span of dispatches and how it starts and ends. */
export interface Use {
  first: number;
  last: number;
  firstAccess: Access;
  lastAccess: Access;
}

/** The buffers a planned group created, kept with their members for errors and reports. */
export interface PooledBuffer {
  readonly buffer: GPUBuffer;
  readonly size: number;
  readonly members: readonly PlannedBuffer[];
  readonly pinned: boolean;
}

/**
 * The stand-in for a tensor's GPUBuffer until its group is planned. It carries `size` and `label`
 * as a GPUBuffer does (ops read `buffer.size` to clamp bindings), and is swapped for the real
 * buffer when bind groups are created.
 */
export class PlannedBuffer {
  /** Recorders that bound this tensor, and how. */
  readonly uses = new Map<object, Use>();
  /** Pinned by name, before planning. */
  pinRequested = false;
  /** Set by planning. */
  pooled: PooledBuffer | undefined;

  constructor(
    readonly group: PoolGroup,
    /** e.g. 'gpt.activations[12x64].logits'. */
    readonly label: string,
    readonly shape: readonly number[],
    /** Bytes the tensor needs, 16-aligned as a buffer must be. */
    readonly size: number,
    /** Who frees the pooled buffer (arenas count references to shared buffers). */
    readonly owner: object,
  ) {}

  get describe(): string {
    return `'${this.label}' [${this.shape}]`;
  }

  /** The real buffer; plans this tensor's group first if it has not been planned. */
  resolve(): GPUBuffer {
    if (!this.pooled) this.group.plan();
    return this.pooled!.buffer;
  }

  /** The real buffer, for a host read or write (or a copy outside any recording). */
  resolveForHost(what: string): GPUBuffer {
    const buffer = this.resolve();
    if (!this.pooled!.pinned) {
      const others = this.pooled!.members.filter((m) => m !== this).map((m) => m.label);
      throw new Error(
        `${what} of ${this.describe}: this tensor shares its GPU buffer by lifetime (with ${others.join(', ') || 'nothing yet'}), ` +
          'so its value does not outlive the recordings that use it. Pin it (ArenaPlan.add(name, shape, dtype, { pin: true })) ' +
          'or read it through a recorded copy.',
      );
    }
    return buffer;
  }
}

/** Records that recorder `rec` touches `b` at dispatch `index` with `access` (indices only grow). */
export function noteUse(b: PlannedBuffer, rec: object, index: number, access: Access): void {
  const use = b.uses.get(rec);
  if (!use) {
    b.uses.set(rec, { first: index, last: index, firstAccess: access, lastAccess: access });
    return;
  }
  // Bound twice in one dispatch (two views): a read-only binding counts as read first, a
  // writable one as written last.
  if (index === use.first && access === 'read') use.firstAccess = 'read';
  if (index > use.last) {
    use.last = index;
    use.lastAccess = access;
  } else if (index === use.last && access === 'write') use.lastAccess = 'write';
}

/** Whether `b` must keep its own buffer (see THE RULE above), and why. */
export function pinReason(b: PlannedBuffer): string | undefined {
  if (b.pinRequested) return 'pinned by name';
  if (b.uses.size === 0) return 'no recording used it before planning';
  const uses = [...b.uses.values()];
  if (uses.some((u) => u.firstAccess === 'read')) return 'read before written in a recording (an input)';
  if (uses.every((u) => u.lastAccess === 'write')) return 'written last in every recording (an output)';
  return undefined;
}

/** Whether two tensors are live at once in some recorder. */
export function liveTogether(a: PlannedBuffer, b: PlannedBuffer): boolean {
  for (const [rec, ua] of a.uses) {
    const ub = b.uses.get(rec);
    if (ub && ua.first <= ub.last && ub.first <= ua.last) return true;
  }
  return false;
}

export interface PoolAssignment {
  size: number;
  members: PlannedBuffer[];
  pinned: boolean;
}

/**
 * Assigns tensors to buffers without creating any (pure: tests and reports call it directly).
 * Pinned tensors get one each. The rest, largest first, join the smallest existing buffer none of
 * whose members is live at the same time (every existing buffer is at least as large, since its
 * first member was placed earlier), else open a new one.
 */
export function assignBuffers(tensors: readonly PlannedBuffer[]): PoolAssignment[] {
  const pools: PoolAssignment[] = [];
  const shared: PoolAssignment[] = [];
  const order = tensors.map((t, i) => ({ t, i })).sort((x, y) => y.t.size - x.t.size || x.i - y.i);
  for (const { t } of order) {
    if (pinReason(t)) {
      pools.push({ size: t.size, members: [t], pinned: true });
      continue;
    }
    let best: PoolAssignment | undefined;
    for (const p of shared) {
      if (p.members.some((m) => liveTogether(m, t))) continue;
      if (!best || p.size < best.size) best = p;
    }
    if (best) best.members.push(t);
    else {
      const p = { size: t.size, members: [t], pinned: false };
      shared.push(p);
      pools.push(p);
    }
  }
  return pools;
}

/** Bytes planned on a context so far: what pooling allocated, and what one buffer per tensor would have. */
export interface PoolTotals {
  pooledBytes: number;
  unpooledBytes: number;
  buffers: number;
  tensors: number;
}

const openGroups = new WeakMap<GpuContext, PoolGroup>();
const totals = new WeakMap<GpuContext, PoolTotals>();

/** Pooled bytes planned on `ctx` so far (every group, destroyed or not): the memory figure's activations. */
export function poolTotals(ctx: GpuContext): PoolTotals {
  return { ...(totals.get(ctx) ?? { pooledBytes: 0, unpooledBytes: 0, buffers: 0, tensors: 0 }) };
}

/**
 * The tensors of every arena allocated on one context since its last planning: they are planned
 * together, so the activation gradients of a graph can reuse the buffers of activations that died
 * (its two arenas), and two graphs allocated before either ran are planned on both timelines.
 */
export class PoolGroup {
  private readonly tensors: PlannedBuffer[] = [];
  private buffers: PooledBuffer[] | undefined;
  private readonly refs = new Map<PooledBuffer, Set<object>>();

  private constructor(readonly ctx: GpuContext) {}

  /** The group new arenas on `ctx` join (a fresh one once the last was planned). */
  static open(ctx: GpuContext): PoolGroup {
    let g = openGroups.get(ctx);
    if (!g) openGroups.set(ctx, (g = new PoolGroup(ctx)));
    return g;
  }

  get planned(): boolean {
    return this.buffers !== undefined;
  }

  /** A stand-in for a tensor of `bytes`; refused at once, with its name, if no buffer can hold it. */
  add(label: string, shape: readonly number[], bytes: number, owner: object): PlannedBuffer {
    if (this.planned) throw new Error(`PoolGroup: '${label}' added after planning`);
    const b = new PlannedBuffer(this, label, shape, Math.ceil(Math.max(16, bytes) / 16) * 16, owner);
    const max = this.ctx.limits.maxBufferSize;
    if (b.size > max) throw new BufferSizeError(`tensor ${b.describe} needs ${formatBytes(b.size)}, above this adapter's maxBufferSize of ${formatBytes(max)}`);
    this.tensors.push(b);
    return b;
  }

  /** Plans and creates the buffers (once); refuses, naming the tensor, one larger than a buffer may be. */
  plan(): void {
    if (this.buffers) return;
    // Every tensor was checked against maxBufferSize when added, and a buffer is as large as its largest member.
    const assignment = assignBuffers(this.tensors);
    if (openGroups.get(this.ctx) === this) openGroups.delete(this.ctx);
    const sum = totals.get(this.ctx) ?? { pooledBytes: 0, unpooledBytes: 0, buffers: 0, tensors: 0 };
    this.buffers = assignment.map((p) => {
      const [first, ...rest] = p.members;
      const label = `${first.label} [${first.shape}]${rest.length ? ` (+${rest.length} by lifetime)` : ''}`;
      const buffer = this.ctx.createBuffer({ label, size: p.size, usage: STORAGE_USAGE });
      const pooled: PooledBuffer = { buffer, size: p.size, members: p.members, pinned: p.pinned };
      for (const m of p.members) m.pooled = pooled;
      this.refs.set(pooled, new Set(p.members.map((m) => m.owner)));
      sum.pooledBytes += p.size;
      sum.unpooledBytes += p.members.reduce((s, m) => s + m.size, 0);
      sum.buffers++;
      sum.tensors += p.members.length;
      return pooled;
    });
    totals.set(this.ctx, sum);
  }

  /** Every buffer of the group (plans it if needed). */
  pooledBuffers(): readonly PooledBuffer[] {
    this.plan();
    return this.buffers!;
  }

  /** Drops `owner`'s tensors: before planning they are forgotten; after, a buffer goes with its last owner. */
  release(owner: object): void {
    if (!this.buffers) {
      for (let i = this.tensors.length - 1; i >= 0; i--) if (this.tensors[i].owner === owner) this.tensors.splice(i, 1);
      return;
    }
    for (const [pooled, owners] of this.refs) {
      if (!owners.delete(owner) || owners.size > 0) continue;
      pooled.buffer.destroy();
      this.refs.delete(pooled);
    }
  }
}

/** Keeps `b` out of sharing (the host reads or writes it around the recordings); before planning only. */
export function pinBuffer(b: PlannedBuffer): void {
  if (b.pooled && !b.pooled.pinned) throw new Error(`${b.describe} was already planned to share its buffer; pin it before its group is planned`);
  b.pinRequested = true;
}

/**
 * Checks that the plan serves recorder `rec` (called when it is finished): every shared tensor it
 * uses starts with a write in it, and no two tensors that share a buffer are
 * live at once in it. True of any recorder known at planning; a late one may break it.
 */
export function checkRecording(rec: object, label: string, used: Iterable<PlannedBuffer>): void {
  for (const b of used) {
    const pooled = b.pooled;
    if (!pooled || pooled.pinned) continue;
    const use = b.uses.get(rec)!;
    if (use.firstAccess === 'read') {
      throw new Error(
        `${label}: this recording reads it before writing it, but ${b.describe} shares its buffer by lifetime (planned before this recording was made) ` +
          'and keeps no value outside a recording. Record every use of an arena before its first run, or pin the tensor.',
      );
    }
    for (const other of pooled.members) {
      if (other !== b && other.uses.has(rec) && liveTogether(b, other)) {
        throw new Error(`${label}: ${b.describe} and ${other.describe} share one buffer (planned before this recording was made) but are live at once in it`);
      }
    }
  }
}
