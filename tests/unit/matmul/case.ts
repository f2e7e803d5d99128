// One randomized matmul case on the GPU against the float64 reference, over padded strided views, so
// a test also catches writes into the padding (the reference keeps it unchanged).
import type { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { type MatmulLimits, matmul } from '../../../src/engine/ops/matmul';
import { matmulRef, randomArray, relError } from './reference';

export interface CaseSpec {
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  batch?: [number, number];
  bias?: boolean;
  gelu?: boolean;
  pre?: boolean;
  accumulate?: boolean;
  /** Extra elements at the end of each row (keep a multiple of 4 for vec4 variants). */
  pad?: number;
  strategy?: string;
  limits?: Partial<MatmulLimits>;
}

const roundUp4 = (x: number) => Math.ceil(x / 4) * 4;

function layoutOf(rows: number, cols: number, pad: number, batch: [number, number]) {
  const ld = roundUp4(cols) + pad;
  const inner = rows * ld;
  const outer = inner * batch[1];
  return { ld, innerStride: inner, outerStride: outer, size: outer * batch[0] };
}

/** Runs the case; returns the relative error of out (and of pre, when written) and the dispatch count. */
export async function runCase(ctx: GpuContext, s: CaseSpec): Promise<{ err: number; preErr: number; dispatches: number }> {
  const batch = s.batch ?? [1, 1];
  const pad = s.pad ?? 0;
  const la = s.transA ? layoutOf(s.k, s.m, pad, batch) : layoutOf(s.m, s.k, pad, batch);
  const lb = s.transB ? layoutOf(s.n, s.k, pad, batch) : layoutOf(s.k, s.n, pad, batch);
  const lc = layoutOf(s.m, s.n, pad, batch);
  const aData = randomArray(la.size);
  const bData = randomArray(lb.size);
  const cData = randomArray(lc.size);
  const biasData = s.bias ? randomArray(s.n) : undefined;
  const a = Tensor.from(ctx, aData, [la.size]);
  const b = Tensor.from(ctx, bData, [lb.size]);
  const out = Tensor.from(ctx, cData, [lc.size]);
  const pre = s.pre ? Tensor.from(ctx, cData, [lc.size]) : undefined;
  const bias = biasData ? Tensor.from(ctx, biasData, [s.n]) : undefined;
  const rec = new Recorder(ctx);
  try {
    const dispatches = matmul(rec, {
      out,
      a,
      b,
      transA: s.transA,
      transB: s.transB,
      bias,
      gelu: s.gelu,
      preGelu: pre,
      accumulate: s.accumulate,
      strategy: s.strategy,
      limits: s.limits,
      layout: { m: s.m, n: s.n, k: s.k, batch, a: la, b: lb, out: lc },
    });
    await rec.run();
    const [wantOut, wantPre] = matmulRef({
      m: s.m,
      n: s.n,
      k: s.k,
      batch,
      transA: s.transA,
      transB: s.transB,
      a: { data: aData, ld: la.ld, outer: la.outerStride, inner: la.innerStride },
      b: { data: bData, ld: lb.ld, outer: lb.outerStride, inner: lb.innerStride },
      out: { data: cData, ld: lc.ld, outer: lc.outerStride, inner: lc.innerStride },
      bias: biasData,
      gelu: s.gelu,
      accumulate: s.accumulate,
    });
    const err = relError(await out.read(), wantOut);
    const preErr = pre ? relError(await pre.read(), wantPre) : 0;
    return { err, preErr, dispatches };
  } finally {
    rec.destroy();
    for (const t of [a, b, out, pre, bias]) t?.destroy();
  }
}
