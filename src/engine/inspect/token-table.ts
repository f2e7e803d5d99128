// Input token embeddings: rows of the model's token embedding table (GPT's wte, BERT's
// word_embeddings, BART's shared matrix), read straight out of the flat parameter vector, no
// forward pass. A large vocabulary is cut to the N tokens that occur most often in the run's
// training data (counted from its token shards), or, when the shards are not on this machine, to
// the N lowest ids: the specials, the base alphabet, then merges in the order the tokenizer
// trainer learned them, which is roughly by frequency too. The result says which was done.
import { openShards } from '../data/shards';
import { chunksOf } from '../data/token-store';
import { runShardsDir } from '../train/run-shards';
import type { ModelConfig, ModelKind } from '../model/config';
import { type ParamLayout, tokenTables } from '../model/params';

/** The Hugging Face name of each model kind's token embedding matrix [vocab, C]. */
export const TOKEN_EMBEDDINGS: Record<ModelKind, string> = {
  decoder: 'transformer.wte.weight',
  encoder: 'bert.embeddings.word_embeddings.weight',
  'encoder-decoder': 'model.shared.weight',
};

export type TokenSelection = 'all' | 'most-frequent' | 'lowest-ids';

/** The table shown: the kind's, or with separate source and target vocabularies the encoder's (the run's tokenizer.json is the source side's). */
export function tokenEmbeddingName(cfg: ModelConfig): string {
  return cfg.kind === 'encoder-decoder' ? tokenTables(cfg).encoder : TOKEN_EMBEDDINGS[cfg.kind];
}

/** Rows `ids` of the token embedding matrix: [ids.length, C] row-major. */
export function tokenEmbeddingRows(layout: ParamLayout, params: Float32Array, ids: readonly number[]): Float32Array {
  const cfg: ModelConfig = layout.config;
  const part = layout.part(tokenEmbeddingName(cfg));
  const [V, C] = part.shape;
  const out = new Float32Array(ids.length * C);
  ids.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id >= V) throw new Error(`token embeddings: id ${id} is outside the ${V}-row table`);
    out.set(params.subarray(part.offset + id * C, part.offset + (id + 1) * C), i * C);
  });
  return out;
}

/**
 * Which ids to show: all of a vocabulary of at most `maxTokens`, else the `maxTokens` most frequent
 * by `counts` (ties: lower id first), else the lowest ids.
 */
export function chooseTokens(vocab: number, maxTokens: number, counts: Float64Array | null): { ids: number[]; selection: TokenSelection } {
  if (vocab <= maxTokens) return { ids: Array.from({ length: vocab }, (_, i) => i), selection: 'all' };
  if (!counts) return { ids: Array.from({ length: maxTokens }, (_, i) => i), selection: 'lowest-ids' };
  const order = Array.from({ length: vocab }, (_, i) => i).sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0) || a - b);
  return { ids: order.slice(0, maxTokens).sort((a, b) => a - b), selection: 'most-frequent' };
}

/** How often each id occurs in the run's training tokens, or null when its shards are not here. */
export async function runTokenCounts(runDir: string, vocab: number): Promise<Float64Array | null> {
  const dir = runShardsDir(runDir);
  if (!dir) return null;
  const { tokens } = await openShards(dir);
  const counts = new Float64Array(vocab);
  for (const { ids } of chunksOf(tokens)) for (const id of ids) if (id < vocab) counts[id]++;
  return counts;
}
