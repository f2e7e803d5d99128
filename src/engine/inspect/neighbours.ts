// Nearest neighbours by cosine similarity, brute force: cos(a, b) = a·b / (|a| |b|) against every
// other row, O(n d) per query. For the few thousand tokens the projector shows that is a few
// million multiply-adds, well under a frame; an index (HNSW, …) would only pay at far larger n.

export interface Neighbour {
  /** Row index in the matrix searched. */
  index: number;
  /** Cosine similarity in [-1, 1]. */
  score: number;
}

/** Norms of the rows of `data` [n, d]. */
export function rowNorms(data: ArrayLike<number>, n: number, d: number): Float64Array {
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += data[i * d + j] * data[i * d + j];
    norms[i] = Math.sqrt(s);
  }
  return norms;
}

/**
 * The k rows most similar to row `query` (itself excluded), highest first; ties keep the lower
 * index first. A zero row has no direction: its similarity to anything is taken as 0.
 */
export function cosineNeighbours(data: ArrayLike<number>, n: number, d: number, query: number, k: number, norms = rowNorms(data, n, d)): Neighbour[] {
  if (!Number.isInteger(query) || query < 0 || query >= n) throw new Error(`neighbours: query row ${query} is outside 0..${n - 1}`);
  const scores: Neighbour[] = [];
  const qn = norms[query];
  for (let i = 0; i < n; i++) {
    if (i === query) continue;
    let dot = 0;
    for (let j = 0; j < d; j++) dot += data[query * d + j] * data[i * d + j];
    const denom = qn * norms[i];
    scores.push({ index: i, score: denom > 0 ? dot / denom : 0 });
  }
  scores.sort((a, b) => b.score - a.score || a.index - b.index);
  return scores.slice(0, Math.max(0, k));
}
