// The embedding projector's two commands. Both name the same embedding set: a run folder's
// checkpoint (the latest when no step), and either its input token embeddings (the whole
// vocabulary, or the maxTokens most frequent when it is larger) or the contextual embeddings
// (final hidden states) of one sentence's tokens.
import * as v from 'valibot';
import { defineCommand } from '../define.ts';

export const TOKEN_CLASS_NAMES = ['special', 'han', 'latin', 'digit', 'punctuation', 'other'] as const;

const EmbeddingSource = v.variant('kind', [
  v.object({
    kind: v.literal('tokens'),
    /** At most this many tokens (default 2000; up to 5000, neighbours are brute force). */
    maxTokens: v.optional(v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(5000))),
  }),
  v.object({ kind: v.literal('sentence'), text: v.pipe(v.string(), v.minLength(1), v.maxLength(500)) }),
]);

const SetParams = {
  runDir: v.pipe(v.string(), v.minLength(1)),
  /** An imported checkpoint is step 0. */
  step: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  source: EmbeddingSource,
};

const Point = v.object({
  id: v.number(),
  /** The vocabulary entry as stored ('Ġcat', '##ing', '[CLS]'). */
  token: v.string(),
  /** The token as text, for labels and search. */
  text: v.string(),
  cls: v.picklist(TOKEN_CLASS_NAMES),
});

export const embeddingsProject = defineCommand({
  target: 'engine',
  summary: 'Token or contextual embeddings of a checkpoint, projected to 2D or 3D by PCA or UMAP',
  timeoutMs: 180_000,
  params: v.object({
    ...SetParams,
    method: v.picklist(['pca', 'umap']),
    dims: v.union([v.literal(2), v.literal(3)]),
    /** UMAP's random seed (default 42): the same seed gives the same layout. */
    seed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  }),
  result: v.object({
    step: v.number(),
    /** Every checkpoint step of the run, ascending (for the slider). */
    steps: v.array(v.number()),
    modelKind: v.string(),
    /** Width of the embeddings (before projection). */
    dim: v.number(),
    vocabSize: v.number(),
    /** Which tokens: all, the most frequent in the training data, the lowest ids, or a sentence's. */
    selection: v.picklist(['all', 'most-frequent', 'lowest-ids', 'sentence']),
    points: v.array(Point),
    method: v.picklist(['pca', 'umap']),
    dims: v.number(),
    /** [points, dims] row-major. */
    coords: v.array(v.number()),
    /** PCA: each axis's share of the variance; UMAP: null. */
    varianceRatio: v.nullable(v.array(v.number())),
  }),
});

export const embeddingsNeighbours = defineCommand({
  target: 'engine',
  summary: 'Nearest neighbours of one point of an embedding set, by cosine similarity',
  timeoutMs: 60_000,
  params: v.object({
    ...SetParams,
    /** The point's index in the set (as embeddings.project lists them). */
    index: v.pipe(v.number(), v.integer(), v.minValue(0)),
    k: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100))),
  }),
  result: v.object({
    step: v.number(),
    query: Point,
    neighbours: v.array(v.object({ index: v.number(), id: v.number(), text: v.string(), score: v.number() })),
  }),
});
