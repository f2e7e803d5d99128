// Principal component analysis of n points in d dimensions, in float64:
//   mean μ = Σ x_i / n;  covariance S = Σ (x_i - μ)(x_i - μ)ᵀ / (n - 1)   [d, d]
//   the top-k eigenvectors w_1..w_k of S by subspace (block power) iteration on S with a few
//   extra vectors, each round orthonormalised (Gram-Schmidt) and finished by Rayleigh-Ritz
//   (the small p×p matrix Qᵀ S Q diagonalised by Jacobi rotations);  coordinates y_i = Wᵀ(x_i - μ).
// Sign convention (an eigenvector's sign is arbitrary): each component's largest-magnitude
// loading is made positive (the first such index on a tie), so the same weights always give
// the same picture, and a checkpoint slider does not flip the axes for no reason.
import { eigenSymmetric, type SymmetricEigen } from './eigen-symmetric';

export interface PcaResult {
  /** Projected coordinates [n, k] row-major. */
  coords: Float64Array;
  /** The components [k, d] row-major (unit vectors), largest variance first. */
  components: Float64Array;
  /** Variance along each component (the covariance's eigenvalues). */
  variance: Float64Array;
  /** Each component's share of the total variance. */
  varianceRatio: Float64Array;
  mean: Float64Array;
  /** Subspace iterations run, and whether the Ritz values settled within the tolerance before the cap. */
  iterations: number;
  converged: boolean;
}

export interface PcaOptions {
  /** Extra vectors iterated beside the k wanted (faster convergence when eigenvalues are close). */
  oversample?: number;
  maxIterations?: number;
  /** Stop when no Ritz value moves by more than this, relative to the largest. */
  tolerance?: number;
}

/** `data`: n rows of d values, row-major. Needs n ≥ 2 and 1 ≤ k ≤ d. */
export function pca(data: ArrayLike<number>, n: number, d: number, k: number, opts: PcaOptions = {}): PcaResult {
  if (data.length !== n * d) throw new Error(`pca: ${data.length} values for ${n} points of ${d} dimensions`);
  if (n < 2) throw new Error(`pca: needs at least 2 points, got ${n}`);
  if (k < 1 || k > d) throw new Error(`pca: cannot take ${k} components of ${d}-dimensional points`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const centered = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) centered[i * d + j] = data[i * d + j] - mean[j];
  const cov = covariance(centered, n, d);
  let total = 0;
  for (let j = 0; j < d; j++) total += cov[j * d + j];

  const { vectors: w, values, iterations, converged } = topEigen(cov, d, k, opts);
  const components = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    let big = 0;
    for (let j = 0; j < d; j++) if (Math.abs(w[j * k + c]) > Math.abs(w[big * k + c])) big = j;
    const sign = w[big * k + c] < 0 ? -1 : 1;
    for (let j = 0; j < d; j++) components[c * d + j] = sign * w[j * k + c];
  }
  const coords = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += centered[i * d + j] * components[c * d + j];
      coords[i * k + c] = s;
    }
  }
  const variance = values.slice(0, k);
  const varianceRatio = Float64Array.from(variance, (x) => (total > 0 ? x / total : 0));
  return { coords, components, variance, varianceRatio, mean, iterations, converged };
}

/**
 * S = XᵀX / (n - 1) of centred rows X [n, d]: [d, d], the upper triangle mirrored. Rows are taken
 * four at a time so that each covariance entry is loaded and stored once per four rows (the
 * accumulation is memory-bound otherwise: 2000 x 768 went from ~10 s to ~3 s here).
 */
function covariance(x: Float64Array, n: number, d: number): Float64Array {
  const cov = new Float64Array(d * d);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const r0 = i * d, r1 = r0 + d, r2 = r1 + d, r3 = r2 + d;
    for (let a = 0; a < d; a++) {
      const x0 = x[r0 + a], x1 = x[r1 + a], x2 = x[r2 + a], x3 = x[r3 + a];
      const ca = a * d;
      for (let b = a; b < d; b++) cov[ca + b] += x0 * x[r0 + b] + x1 * x[r1 + b] + x2 * x[r2 + b] + x3 * x[r3 + b];
    }
  }
  for (; i < n; i++) {
    const row = i * d;
    for (let a = 0; a < d; a++) {
      const xa = x[row + a], ca = a * d;
      for (let b = a; b < d; b++) cov[ca + b] += xa * x[row + b];
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      cov[a * d + b] /= n - 1;
      cov[b * d + a] = cov[a * d + b];
    }
  }
  return cov;
}

/**
 * The k leading eigenpairs of a symmetric [d, d] matrix: subspace iteration with p = k + oversample
 * vectors from a fixed start (so the result is deterministic), Rayleigh-Ritz each round. When p
 * reaches d the subspace is the whole space and one Ritz step is the full decomposition.
 */
function topEigen(s: Float64Array, d: number, k: number, opts: PcaOptions): { vectors: Float64Array; values: Float64Array; iterations: number; converged: boolean } {
  const p = Math.min(d, k + (opts.oversample ?? 8));
  // A flat spectrum (noise) converges slowly and has no meaningful axes anyway: cap the work.
  const maxIterations = opts.maxIterations ?? 300;
  const tolerance = opts.tolerance ?? 1e-13;
  // Start: a fixed pseudo-random block (a basis vector start can be orthogonal to a component).
  let q: Float64Array = new Float64Array(d * p);
  let seed = 0x9e3779b9;
  for (let i = 0; i < q.length; i++) {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    q[i] = seed / 4294967296 - 0.5;
  }
  orthonormalise(q, d, p);
  let previous: Float64Array | null = null;
  let ritz: SymmetricEigen = { values: new Float64Array(p), vectors: new Float64Array(p * p) };
  let iterations = 0, converged = false;
  for (let it = 0; it < maxIterations; it++) {
    iterations = it + 1;
    const z = multiply(s, q, d, p); // Z = S Q [d, p]
    // Rayleigh-Ritz: H = Qᵀ S Q [p, p]; its eigenvectors rotate Q into the Ritz vectors.
    const h = new Float64Array(p * p);
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) {
      let acc = 0;
      for (let j = 0; j < d; j++) acc += q[j * p + a] * z[j * p + b];
      h[a * p + b] = acc;
    }
    for (let a = 0; a < p; a++) for (let b = a + 1; b < p; b++) h[a * p + b] = h[b * p + a] = (h[a * p + b] + h[b * p + a]) / 2;
    ritz = eigenSymmetric(h, p);
    q = rotate(q, ritz.vectors, d, p);
    const scale = Math.max(Math.abs(ritz.values[0]), Number.MIN_VALUE);
    const settled = previous !== null && ritz.values.slice(0, k).every((x, i) => Math.abs(x - previous![i]) <= tolerance * scale);
    if (p === d || settled) {
      converged = true;
      break;
    }
    previous = ritz.values;
    q = rotate(z, ritz.vectors, d, p); // the next block: S Q, rotated the same way
    orthonormalise(q, d, p);
  }
  const vectors = new Float64Array(d * k);
  for (let j = 0; j < d; j++) for (let c = 0; c < k; c++) vectors[j * k + c] = q[j * p + c];
  return { vectors, values: ritz.values.slice(0, k), iterations, converged };
}

/** S [d, d] times Q [d, p]. */
function multiply(s: Float64Array, q: Float64Array, d: number, p: number): Float64Array {
  const out = new Float64Array(d * p);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    const sij = s[i * d + j];
    for (let c = 0; c < p; c++) out[i * p + c] += sij * q[j * p + c];
  }
  return out;
}

/** Q [d, p] times R [p, p]. */
function rotate(q: Float64Array, r: Float64Array, d: number, p: number): Float64Array {
  const out = new Float64Array(d * p);
  for (let i = 0; i < d; i++) for (let a = 0; a < p; a++) {
    const qa = q[i * p + a];
    for (let c = 0; c < p; c++) out[i * p + c] += qa * r[a * p + c];
  }
  return out;
}

/** Modified Gram-Schmidt on the columns of Q [d, p], twice for stability; a null column gets a basis vector. */
function orthonormalise(q: Float64Array, d: number, p: number): void {
  let basis = 0; // the next basis vector to try for a column that vanished (rank-deficient block)
  for (let c = 0; c < p; c++) {
    for (;;) {
      for (let pass = 0; pass < 2; pass++) {
        for (let b = 0; b < c; b++) {
          let dot = 0;
          for (let j = 0; j < d; j++) dot += q[j * p + b] * q[j * p + c];
          for (let j = 0; j < d; j++) q[j * p + c] -= dot * q[j * p + b];
        }
      }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += q[j * p + c] * q[j * p + c];
      norm = Math.sqrt(norm);
      if (norm > 1e-150 || basis >= d) {
        for (let j = 0; j < d; j++) q[j * p + c] /= norm || 1;
        break;
      }
      for (let j = 0; j < d; j++) q[j * p + c] = j === basis ? 1 : 0;
      basis++;
    }
  }
}
