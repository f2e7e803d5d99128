// C = op(A) · op(B) (+ bias) (then GELU), batched, in every form forward and backward need:
//   forward   y = x · W (+ b)           NN   (W stored [in, out])
//   backward  dx = dy · Wᵀ              NT
//             dW += xᵀ · dy             TN with accumulate (gradient accumulation)
//   attention S = Q · Kᵀ, O = P · V per (batch, head)  batched with strides
// Shapes (row-major, f32): out [...batch, M, N]; a [...batch, M, K] ([...batch, K, M] if transA);
// b [...batch, K, N] ([...batch, N, K] if transB); a or b without the batch dims is broadcast.
// `layout` instead describes arbitrary strided views (e.g. heads inside a [B, T, 3C] qkv tensor).
// GELU: the op writes gelu(A·B + bias) to `out` and, if `preGelu` is given, A·B + bias to it: the
// backward pass needs that pre-activation (gelu backward is H3's standalone op).
// Bindings past maxStorageBufferBindingSize and grids past maxComputeWorkgroupsPerDimension are
// split into several dispatches (along batch, M, N, then K with accumulation), never rejected.
import type { GpuContext } from '../gpu/device';
import { BufferUsage } from '../gpu/flags';
import { Kernel, type Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { getMatmulChoice, shapeClass } from './matmul-choice';
import { type MatmulVariant, matmulVariant, variantSupported, variantWorkgroups } from './matmul-variants';

/** A strided matrix view: element (z = (outer, inner), row, col) is at offset + outer*outerStride + inner*innerStride + row*ld + col. */
export interface StridedOperand {
  /** Elements from the tensor's start. */
  offset?: number;
  /** Row stride in elements. */
  ld: number;
  outerStride?: number;
  innerStride?: number;
}

export interface MatmulLayout {
  m: number;
  n: number;
  k: number;
  /** Batch as [outer, inner] (e.g. [B, heads]); default [1, 1]. */
  batch?: readonly [number, number];
  a: StridedOperand;
  b: StridedOperand;
  out: StridedOperand;
}

export interface MatmulLimits {
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupsPerDimension: number;
}

export interface MatmulOptions {
  out: Tensor;
  a: Tensor;
  b: Tensor;
  transA?: boolean;
  transB?: boolean;
  /** [N], added to every row. */
  bias?: Tensor;
  /** Apply GELU (tanh approximation, as GPT-2) after the bias. */
  gelu?: boolean;
  /** Same shape as out: receives A·B + bias before GELU. Only with gelu. */
  preGelu?: Tensor;
  /** out += A·B (+ bias) instead of out = ... */
  accumulate?: boolean;
  /** Strided views instead of shapes (see MatmulLayout). */
  layout?: MatmulLayout;
  /** Force a variant by name (benchmarks, tests); default: the device's tuned choice. */
  strategy?: string;
  /** Smaller limits than the device's, to exercise splitting in tests. */
  limits?: Partial<MatmulLimits>;
  label?: string;
}

interface Operand {
  tensor: Tensor;
  offset: number;
  ld: number;
  outer: number;
  inner: number;
}

interface Problem {
  m: number;
  n: number;
  k: number;
  outerCount: number;
  innerCount: number;
  a: Operand;
  b: Operand;
  c: Operand;
  pre?: Operand;
  bias?: Tensor;
  transA: boolean;
  transB: boolean;
  gelu: boolean;
  accumulate: boolean;
  label: string;
}

/** A piece of the problem: [start, end) ranges of batch outer/inner, M, N and K. */
interface Chunk {
  o: [number, number];
  i: [number, number];
  m: [number, number];
  n: [number, number];
  k: [number, number];
}

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

function resolveProblem(o: MatmulOptions): Problem {
  const label = o.label ?? 'matmul';
  const transA = Boolean(o.transA);
  const transB = Boolean(o.transB);
  const shapes = `out ${fmt(o.out.shape)}, a ${fmt(o.a.shape)}${transA ? 'ᵀ' : ''}, b ${fmt(o.b.shape)}${transB ? 'ᵀ' : ''}`;
  const fail = (why: string): never => {
    throw new Error(`${label}: ${why} (${shapes})`);
  };
  for (const t of [o.out, o.a, o.b, o.bias, o.preGelu]) if (t && t.dtype !== 'f32') fail('operands must be f32');
  if (o.preGelu && !o.gelu) fail('preGelu is only written together with gelu');
  if (o.gelu && o.accumulate) fail('gelu with accumulate is undefined (gelu of a running sum)');

  let p: Omit<Problem, 'bias' | 'pre' | 'label' | 'transA' | 'transB' | 'gelu' | 'accumulate'>;
  if (o.layout) {
    const L = o.layout;
    const [outerCount, innerCount] = L.batch ?? [1, 1];
    const op = (tensor: Tensor, s: StridedOperand): Operand => ({
      tensor,
      offset: s.offset ?? 0,
      ld: s.ld,
      outer: s.outerStride ?? 0,
      inner: s.innerStride ?? 0,
    });
    p = { m: L.m, n: L.n, k: L.k, outerCount, innerCount, a: op(o.a, L.a), b: op(o.b, L.b), c: op(o.out, L.out) };
  } else {
    if (o.out.shape.length < 2 || o.a.shape.length < 2 || o.b.shape.length < 2) fail('out, a and b need at least 2 dims');
    const [m, n] = o.out.shape.slice(-2);
    const batchShape = o.out.shape.slice(0, -2);
    const batch = batchShape.reduce((x, y) => x * y, 1);
    const [ar, ac] = o.a.shape.slice(-2);
    const [br, bc] = o.b.shape.slice(-2);
    const [am, ak] = transA ? [ac, ar] : [ar, ac];
    const [bk, bn] = transB ? [bc, br] : [br, bc];
    if (am !== m) fail(`a has ${am} rows, out has ${m}`);
    if (bn !== n) fail(`b has ${bn} columns, out has ${n}`);
    if (ak !== bk) fail(`inner dimensions differ: a has K=${ak}, b has K=${bk}`);
    const batchStride = (t: Tensor, name: string) => {
      const tb = t.shape.slice(0, -2);
      if (tb.length === 0) return 0; // broadcast one matrix over the batch
      if (fmt(tb) !== fmt(batchShape)) fail(`${name}'s batch dims ${fmt(tb)} differ from out's ${fmt(batchShape)}`);
      return t.shape.at(-1)! * t.shape.at(-2)!;
    };
    const op = (tensor: Tensor, name: string): Operand => ({
      tensor,
      offset: 0,
      ld: tensor.shape.at(-1)!,
      outer: batchStride(tensor, name),
      inner: 0,
    });
    p = { m, n, k: ak, outerCount: batch, innerCount: 1, a: op(o.a, 'a'), b: op(o.b, 'b'), c: op(o.out, 'out') };
  }
  if (o.preGelu && o.preGelu.numel !== o.out.numel) fail(`preGelu ${fmt(o.preGelu.shape)} must match out`);
  if (o.bias && o.bias.numel !== p.n) fail(`bias ${fmt(o.bias.shape)} must have N=${p.n} values`);
  for (const [name, v] of Object.entries({ M: p.m, N: p.n, K: p.k, outer: p.outerCount, inner: p.innerCount })) {
    if (!Number.isInteger(v) || v < 1) fail(`${name}=${v} must be a positive integer`);
  }
  const problem: Problem = {
    ...p,
    pre: o.preGelu ? { ...p.c, tensor: o.preGelu } : undefined,
    bias: o.bias,
    transA,
    transB,
    gelu: Boolean(o.gelu),
    accumulate: Boolean(o.accumulate),
    label,
  };
  // Every element the problem touches must lie inside its tensor.
  const whole: Chunk = { o: [0, p.outerCount], i: [0, p.innerCount], m: [0, p.m], n: [0, p.n], k: [0, p.k] };
  for (const [name, operand] of [['a', problem.a], ['b', problem.b], ['out', problem.c]] as const) {
    const [first, last] = extent(problem, name, operand, whole);
    if (first < 0 || last >= operand.tensor.numel) fail(`${name} view reaches element ${last}, past its ${operand.tensor.numel}`);
  }
  return problem;
}

/** Rows and columns of an operand's memory layout, for a chunk. */
function operandRanges(p: Problem, which: 'a' | 'b' | 'out', c: Chunk): [[number, number], [number, number]] {
  if (which === 'a') return p.transA ? [c.k, c.m] : [c.m, c.k];
  if (which === 'b') return p.transB ? [c.n, c.k] : [c.k, c.n];
  return [c.m, c.n];
}

/** First and last element (inclusive) an operand's chunk touches (strides are non-negative). */
function extent(p: Problem, which: 'a' | 'b' | 'out', op: Operand, c: Chunk): [number, number] {
  const [rows, cols] = operandRanges(p, which, c);
  const first = op.offset + c.o[0] * op.outer + c.i[0] * op.inner + rows[0] * op.ld + cols[0];
  const last = op.offset + (c.o[1] - 1) * op.outer + (c.i[1] - 1) * op.inner + (rows[1] - 1) * op.ld + (cols[1] - 1);
  return [first, last];
}

interface Bound {
  binding: GPUBufferBinding;
  /** Element offset of the chunk's origin inside the binding. */
  offset: number;
}

/** Binds an operand's chunk from a 256-byte-aligned offset, rounded up to whole vec4s where the buffer allows. */
function bindOperand(p: Problem, which: 'a' | 'b' | 'out', op: Operand, c: Chunk): Bound {
  const [first, last] = extent(p, which, op, c);
  const startByte = op.tensor.byteOffset + first * 4;
  const aligned = Math.floor(startByte / 256) * 256;
  const end = op.tensor.byteOffset + (last + 1) * 4;
  const size = Math.min(Math.ceil((end - aligned) / 16) * 16, op.tensor.buffer.size - aligned);
  return { binding: { buffer: op.tensor.buffer, offset: aligned, size }, offset: (startByte - aligned) / 4 };
}

function bindBias(bias: Tensor, c: Chunk): Bound {
  const startByte = bias.byteOffset + c.n[0] * 4;
  const aligned = Math.floor(startByte / 256) * 256;
  const size = bias.byteOffset + c.n[1] * 4 - aligned;
  return { binding: { buffer: bias.buffer, offset: aligned, size: Math.max(4, size) }, offset: (startByte - aligned) / 4 };
}

/** Whether vec4 loads of A and B are valid for this chunk (C is stored as scalars). */
function vec4Ok(p: Problem, c: Chunk): boolean {
  const ops: ['a' | 'b', Operand][] = [['a', p.a], ['b', p.b]];
  for (const [which, op] of ops) {
    if (op.ld % 4 || op.outer % 4 || op.inner % 4) return false;
    const b = bindOperand(p, which, op, c);
    if (b.offset % 4 || b.binding.size! % 16) return false;
  }
  return true;
}

/** Whether every row of C (and pre) in this chunk starts on a vec4 and holds whole vec4s. */
function vec4StoreOk(p: Problem, c: Chunk): boolean {
  if (count(c.n) % 4 || c.n[0] % 4) return false;
  for (const op of p.pre ? [p.c, p.pre] : [p.c]) {
    if (op.ld % 4 || op.outer % 4 || op.inner % 4) return false;
    const b = bindOperand(p, 'out', op, c);
    if (b.offset % 4 || b.binding.size! % 16) return false;
  }
  return true;
}

function count(r: [number, number]): number {
  return r[1] - r[0];
}

/** Splits a range in two at a multiple of 4 (keeps vec4 alignment of chunk origins). */
function halve(r: [number, number]): [[number, number], [number, number]] | undefined {
  const len = count(r);
  if (len <= 1) return undefined;
  let mid = len > 4 ? Math.ceil(len / 2 / 4) * 4 : Math.ceil(len / 2);
  if (mid >= len) mid = len - 1;
  return [
    [r[0], r[0] + mid],
    [r[0] + mid, r[1]],
  ];
}

/** Cuts the problem into chunks whose bindings and grids fit the limits. */
function splitChunks(p: Problem, v: MatmulVariant, limits: MatmulLimits, c: Chunk, out: Chunk[]): void {
  const maxBind = limits.maxStorageBufferBindingSize;
  const maxWg = limits.maxComputeWorkgroupsPerDimension;
  const size = (which: 'a' | 'b' | 'out', op: Operand) => bindOperand(p, which, op, c).binding.size!;
  const tooBig = {
    a: size('a', p.a) > maxBind,
    b: size('b', p.b) > maxBind,
    c: size('out', p.c) > maxBind || (p.pre !== undefined && size('out', p.pre) > maxBind),
    bias: p.bias !== undefined && bindBias(p.bias, c).binding.size! > maxBind,
  };
  const batch = count(c.o) * count(c.i);
  const [wx, wy, wz] = variantWorkgroups(v, count(c.m), count(c.n), batch);
  const anyBinding = tooBig.a || tooBig.b || tooBig.c || tooBig.bias;
  if (!anyBinding && wx <= maxWg && wy <= maxWg && wz <= maxWg) {
    out.push(c);
    return;
  }
  const along = (dim: keyof Chunk): boolean => {
    const halves = halve(c[dim]);
    if (!halves) return false;
    for (const h of halves) splitChunks(p, v, limits, { ...c, [dim]: h }, out);
    return true;
  };
  if ((anyBinding || wz > maxWg) && batch > 1) {
    // Whole outer groups first, so each chunk's batch items form a grid (o0..o1) x (i0..i1).
    if (count(c.o) > 1 ? along('o') : along('i')) return;
  }
  if (wy > maxWg && along('m')) return;
  if (wx > maxWg && along('n')) return;
  if ((tooBig.c || (tooBig.a && !p.transA)) && along('m')) return;
  if ((tooBig.c || tooBig.bias || (tooBig.b && p.transB)) && along('n')) return;
  if ((tooBig.a || tooBig.b) && !p.gelu && along('k')) return;
  throw new Error(
    `${p.label}: cannot split M=${count(c.m)} N=${count(c.n)} K=${count(c.k)} batch=${batch} to fit ` +
      `maxStorageBufferBindingSize ${maxBind} and maxComputeWorkgroupsPerDimension ${maxWg}` +
      (p.gelu ? ' (a GELU epilogue cannot be split along K)' : ''),
  );
}

const dummies = new WeakMap<GpuContext, GPUBuffer>();
/** A 16-byte buffer bound where an optional read_write output (pre) is absent. */
function dummyBuffer(ctx: GpuContext): GPUBuffer {
  let d = dummies.get(ctx);
  if (!d) {
    d = ctx.createBuffer({ label: 'matmul.unused', size: 16, usage: BufferUsage.STORAGE });
    dummies.set(ctx, d);
  }
  return d;
}

/** Chooses the variant: a forced one, else the device's choice for this shape class. */
function chooseVariant(ctx: GpuContext, p: Problem, strategy: string | undefined, whole: Chunk): MatmulVariant {
  if (strategy) {
    const forced = matmulVariant(strategy);
    if (!variantSupported(forced, ctx.features)) {
      throw new Error(`${p.label}: strategy ${forced.name} needs subgroups of at least ${forced.subgroupLanes} lanes, which this adapter does not guarantee`);
    }
    return forced;
  }
  const best = matmulVariant(classChoice(ctx, p).best);
  if (variantSupported(best, ctx.features) && (!best.vec4 || vec4Ok(p, whole))) return best;
  return matmulVariant(classChoice(ctx, p).fallback);
}

function classChoice(ctx: GpuContext, p: Problem) {
  return getMatmulChoice(ctx).byClass[shapeClass(p.m, p.n, p.k, p.outerCount * p.innerCount)];
}

/** Records C = op(A)·op(B) (+bias) (GELU) into `rec`; returns the number of dispatches (1 unless split). */
export function matmul(rec: Recorder, options: MatmulOptions): number {
  const ctx = rec.ctx as GpuContext;
  const p = resolveProblem(options);
  const limits: MatmulLimits = {
    maxStorageBufferBindingSize: options.limits?.maxStorageBufferBindingSize ?? ctx.limits.maxStorageBufferBindingSize,
    maxComputeWorkgroupsPerDimension:
      options.limits?.maxComputeWorkgroupsPerDimension ?? ctx.limits.maxComputeWorkgroupsPerDimension,
  };
  const whole: Chunk = { o: [0, p.outerCount], i: [0, p.innerCount], m: [0, p.m], n: [0, p.n], k: [0, p.k] };
  let variant = chooseVariant(ctx, p, options.strategy, whole);
  const chunks: Chunk[] = [];
  splitChunks(p, variant, limits, whole, chunks);
  if (variant.vec4 && !chunks.every((c) => vec4Ok(p, c))) {
    if (options.strategy) throw new Error(`${p.label}: strategy ${variant.name} needs strides, offsets and sizes that are multiples of 4`);
    variant = matmulVariant(classChoice(ctx, p).fallback);
    chunks.length = 0;
    splitChunks(p, variant, limits, whole, chunks);
  }
  const vec4Store = variant.codeVec4Store !== undefined && chunks.every((c) => vec4StoreOk(p, c));
  const kernels = new Map<string, Kernel>();
  const kernelFor = (accumulate: boolean, bias: boolean) => {
    const key = `${accumulate}${bias}`;
    let k = kernels.get(key);
    if (!k) {
      k = new Kernel(ctx, {
        label: `${p.label}.${variant.name}`,
        code: vec4Store ? variant.codeVec4Store! : variant.code,
        storage: ['read', 'read', 'read', 'write', 'write'],
        uniform: true,
        constants: {
          TRANS_A: p.transA,
          TRANS_B: p.transB,
          HAS_BIAS: bias,
          GELU: p.gelu,
          ACCUMULATE: accumulate,
          WRITE_PRE: p.pre !== undefined,
        },
      });
      kernels.set(key, k);
    }
    return k;
  };
  for (const c of chunks) {
    // After the first K slice, a chunk adds to what the earlier slices wrote; the bias goes in once.
    const accumulate = p.accumulate || c.k[0] > 0;
    const withBias = p.bias !== undefined && c.k[0] === 0;
    const a = bindOperand(p, 'a', p.a, c);
    const b = bindOperand(p, 'b', p.b, c);
    const out = bindOperand(p, 'out', p.c, c);
    const pre = p.pre ? bindOperand(p, 'out', p.pre, c) : undefined;
    const bias = withBias ? bindBias(p.bias!, c) : undefined;
    const params = new Uint32Array([
      count(c.m), count(c.n), count(c.k), count(c.i),
      p.a.ld, p.b.ld, p.c.ld, bias?.offset ?? 0,
      a.offset, b.offset, out.offset, 0,
      p.a.outer, p.b.outer, p.c.outer, 0,
      p.a.inner, p.b.inner, p.c.inner, 0,
    ]);
    if (pre && pre.offset !== out.offset) throw new Error(`${p.label}: preGelu must have the same byte alignment as out`);
    const batch = count(c.o) * count(c.i);
    kernelFor(accumulate, withBias).record(
      rec,
      [a.binding, b.binding, bias?.binding ?? a.binding, out.binding, pre?.binding ?? { buffer: dummyBuffer(ctx) }],
      variantWorkgroups(variant, count(c.m), count(c.n), batch),
      params,
    );
  }
  return chunks.length;
}

/** 2·M·N·K·batch: the flop count benchmarks divide by. */
export function matmulFlops(m: number, n: number, k: number, batch = 1): number {
  return 2 * m * n * k * batch;
}
