// The spread of one measurement repeated over seeds: mean and sample standard deviation (n - 1, as
// numpy's std(ddof=1) and Python's statistics.stdev), the spread a reader compares a difference with.
// One value has no spread (std 0, not NaN), so a one-seed row still prints.

export interface Spread {
  n: number;
  mean: number;
  /** Sample standard deviation (divides by n - 1); 0 for a single value. */
  std: number;
  min: number;
  max: number;
}

export function spread(xs: readonly number[]): Spread {
  if (xs.length === 0) throw new Error('spread: no values');
  const bad = xs.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new Error(`spread: value ${bad} is ${xs[bad]}, not a finite number`);
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = n === 1 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  return { n, mean, std, min: Math.min(...xs), max: Math.max(...xs) };
}
