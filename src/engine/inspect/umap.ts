// UMAP (McInnes et al. 2018) through umap-js, PAIR's maintained implementation: a fuzzy k-nearest-
// neighbour graph of the points, then a low-dimensional layout optimised to keep it. umap-js
// draws from Math.random unless given a generator; it gets a seeded mulberry32 here, so the same
// points and seed always give the same picture. Distances are cosine, as for the neighbour list
// (embeddings are compared by direction; their lengths mostly track token frequency).
import { UMAP } from 'umap-js';
import { mulberry32 } from '../data/rng';

export interface UmapOptions {
  seed?: number;
  /** Neighbours per point in the graph (default 15, capped below the number of points). */
  nNeighbors?: number;
  minDist?: number;
  /**
   * Optimisation epochs. Default: 500 up to 500 points, else 200 (umap-learn's default for large
   * sets; umap-js would run 500 up to 2,500 points: 2,000 tokens took ~12 s instead of ~7 s here).
   */
  nEpochs?: number;
}

/** The smallest set UMAP is run on: fewer points have no neighbourhood structure to keep. */
export const UMAP_MIN_POINTS = 4;

/**
 * `data`: n rows of d values, row-major. Returns [n, dims] row-major. The optimisation yields to
 * the event loop after every epoch (umap-js's fitAsync): seconds of layout for a few thousand
 * tokens must not stall a training run's events in the same engine host.
 */
export async function umapProject(data: ArrayLike<number>, n: number, d: number, dims: number, opts: UmapOptions = {}): Promise<Float64Array> {
  if (data.length !== n * d) throw new Error(`umap: ${data.length} values for ${n} points of ${d} dimensions`);
  if (n < UMAP_MIN_POINTS) throw new Error(`umap: needs at least ${UMAP_MIN_POINTS} points, got ${n} (use PCA for so few)`);
  const rows: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => data[i * d + j]));
  const rng = mulberry32(opts.seed ?? 42);
  const umap = new UMAP({
    nComponents: dims,
    nNeighbors: Math.min(opts.nNeighbors ?? 15, n - 1),
    minDist: opts.minDist ?? 0.1,
    nEpochs: opts.nEpochs ?? (n <= 500 ? 500 : 200),
    distanceFn: cosineDistance,
    random: rng.next,
  });
  const out = await umap.fitAsync(rows);
  const coords = new Float64Array(n * dims);
  out.forEach((row, i) => row.forEach((x, c) => (coords[i * dims + c] = x)));
  return coords;
}

/** 1 - cos(a, b); 1 (orthogonal) when either vector is zero. */
function cosineDistance(a: number[], b: number[]): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? 1 - dot / Math.sqrt(na * nb) : 1;
}
