// Central finite differences in float64: the independent check of every reference backward.
// A test builds a scalar loss L(x) = sum(forward(x) * w) with random w (so dOut = w), and compares
// the analytic reference gradient with (L(x + eps e_i) - L(x - eps e_i)) / 2 eps for every i.

/** dL/dx by central differences; `x` is perturbed in place and restored. */
export function numericalGradient(loss: (x: Float64Array) => number, x: Float64Array, eps = 1e-6): Float64Array {
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const saved = x[i];
    x[i] = saved + eps;
    const plus = loss(x);
    x[i] = saved - eps;
    const minus = loss(x);
    x[i] = saved;
    grad[i] = (plus - minus) / (2 * eps);
  }
  return grad;
}

/** sum(a * w): the scalar that turns an output into a loss whose gradient w.r.t. that output is w. */
export function dot(a: ArrayLike<number>, w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * w[i];
  return s;
}

/** Normwise relative error max|got - want| / max|want| (0 when both are all zero). */
export function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`relError: ${got.length} values vs ${want.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  if (Number.isNaN(diff)) return Number.POSITIVE_INFINITY;
  return scale === 0 ? diff : diff / scale;
}
