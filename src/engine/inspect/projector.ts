// The embedding projector: a set of points (token embedding rows, or a sentence's hidden states),
// each labelled with its token and coloured by its class, laid out in 2 or 3 dimensions by PCA or
// UMAP, with cosine nearest neighbours in the full embedding space (not in the projection, which
// distorts distances). The host handler loads the weights; everything here is plain arithmetic.
import type { Tokenizer } from '../tokenizers';
import { cosineNeighbours, type Neighbour } from './neighbours';
import { pca } from './pca';
import { type TokenClass, tokenClass } from './token-class';
import { umapProject } from './umap';

export type ProjectionMethod = 'pca' | 'umap';

export interface EmbeddingPoint {
  id: number;
  /** The vocabulary entry as stored (e.g. 'Ġcat', '##ing', '[CLS]'). */
  token: string;
  /** The token as text, for labels and search (WordPiece '##' and byte-level marks removed). */
  text: string;
  cls: TokenClass;
}

/** n points of d dimensions: `vectors` [n, d] row-major, one point per row. */
export interface EmbeddingSet {
  points: EmbeddingPoint[];
  vectors: Float32Array;
  dim: number;
}

export interface Projection {
  /** [n, dims] row-major. */
  coords: Float64Array;
  dims: number;
  /** PCA: each axis's share of the variance; UMAP: null (its axes carry no such meaning). */
  varianceRatio: number[] | null;
}

/** Labels and classes of token ids. */
export function pointsOf(tok: Tokenizer, ids: readonly number[]): EmbeddingPoint[] {
  return ids.map((id) => {
    const token = tok.idToToken(id) ?? `<${id}>`;
    const special = tok.isSpecial(id);
    const decoded = special || id >= tok.vocabSize ? token : tok.decode([id]).replace(/^##/, '');
    // A whitespace token would be an invisible label: show its characters as ␣ (space) and ↵ (newline).
    const text = decoded.trim() || decoded.replace(/\n/g, '↵').replace(/\s/g, '␣') || token;
    return { id, token, text, cls: tokenClass(decoded, special) };
  });
}

export async function project(set: EmbeddingSet, method: ProjectionMethod, dims: 2 | 3, seed = 42): Promise<Projection> {
  const n = set.points.length;
  if (method === 'pca') {
    if (dims > set.dim) throw new Error(`projector: ${dims} PCA axes asked of ${set.dim}-dimensional embeddings`);
    const r = pca(set.vectors, n, set.dim, dims);
    return { coords: r.coords, dims, varianceRatio: Array.from(r.varianceRatio) };
  }
  return { coords: await umapProject(set.vectors, n, set.dim, dims, { seed }), dims, varianceRatio: null };
}

export function neighboursOf(set: EmbeddingSet, index: number, k: number): Neighbour[] {
  return cosineNeighbours(set.vectors, set.points.length, set.dim, index, k);
}
