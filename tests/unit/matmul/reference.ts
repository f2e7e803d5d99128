// Float64 reference for matmul over strided views, and the helpers the matmul tests share.
export interface RefOperand {
  data: ArrayLike<number>;
  offset?: number;
  ld: number;
  outer?: number;
  inner?: number;
}

export interface RefProblem {
  m: number;
  n: number;
  k: number;
  batch?: [number, number];
  transA?: boolean;
  transB?: boolean;
  a: RefOperand;
  b: RefOperand;
  /** Initial contents of out (read when accumulate), and its layout. */
  out: RefOperand;
  bias?: ArrayLike<number>;
  gelu?: boolean;
  accumulate?: boolean;
}

const GELU_K = Math.sqrt(2 / Math.PI);
export const geluF64 = (x: number) => 0.5 * x * (1 + Math.tanh(GELU_K * (x + 0.044715 * x ** 3)));

/** Returns [out, pre]: the whole out array after the op, and the pre-activation in the same layout. */
export function matmulRef(p: RefProblem): [Float64Array, Float64Array] {
  const out = Float64Array.from(p.out.data);
  const pre = Float64Array.from(p.out.data);
  const [outerCount, innerCount] = p.batch ?? [1, 1];
  const at = (op: RefOperand, o: number, i: number, row: number, col: number) =>
    (op.offset ?? 0) + o * (op.outer ?? 0) + i * (op.inner ?? 0) + row * op.ld + col;
  for (let o = 0; o < outerCount; o++) {
    for (let i = 0; i < innerCount; i++) {
      for (let m = 0; m < p.m; m++) {
        for (let n = 0; n < p.n; n++) {
          let acc = 0;
          for (let k = 0; k < p.k; k++) {
            const av = p.a.data[p.transA ? at(p.a, o, i, k, m) : at(p.a, o, i, m, k)];
            const bv = p.b.data[p.transB ? at(p.b, o, i, n, k) : at(p.b, o, i, k, n)];
            acc += av * bv;
          }
          const ci = at(p.out, o, i, m, n);
          if (p.bias) acc += p.bias[n];
          if (p.accumulate) acc += p.out.data[ci];
          pre[ci] = acc;
          out[ci] = p.gelu ? geluF64(acc) : acc;
        }
      }
    }
  }
  return [out, pre];
}

/** max|got - want| / max|want|: the norm-wise relative error the tests bound by 1e-4. */
export function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
    maxRef = Math.max(maxRef, Math.abs(want[i]));
  }
  return maxDiff / Math.max(maxRef, 1e-30);
}

export function randomArray(n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (Math.random() * 2 - 1) * scale);
}
