// Which weights a fine-tune trains, as TrainOptions.frozen-style tensor-name prefixes:
//   head   the classification head alone (BERT: pooler + classifier; GPT: score)
//   top:N  the head and the top N transformer layers
//   all    everything
// Everything below the trainable part is frozen: no weight gradient, no AdamW update, its bits
// unchanged (params.ts trainableRanges), and no backward at all below the lowest trainable layer.
import type { ModelConfig } from '../model/config';

export type Scope = { kind: 'head' } | { kind: 'top'; layers: number } | { kind: 'all' };

export function parseScope(text: string): Scope {
  if (text === 'head' || text === 'all') return { kind: text };
  const m = /^top:(\d+)$/.exec(text);
  if (m) return { kind: 'top', layers: Number(m[1]) };
  throw new Error(`--scope must be head, top:N or all (got '${text}')`);
}

export function scopeName(s: Scope): string {
  return s.kind === 'top' ? `top:${s.layers}` : s.kind;
}

/** The frozen prefixes of `scope` on this model. */
export function frozenPrefixes(cfg: ModelConfig, scope: Scope): string[] {
  if (scope.kind === 'all') return [];
  const L = cfg.nLayer;
  const trainLayers = scope.kind === 'head' ? 0 : scope.layers;
  if (!(Number.isInteger(trainLayers) && trainLayers >= 0 && trainLayers <= L)) throw new Error(`--scope top:${trainLayers}: the model has ${L} layers`);
  const frozenLayers = Array.from({ length: L - trainLayers }, (_, l) => l);
  if (cfg.kind === 'encoder') return ['bert.embeddings.', ...frozenLayers.map((l) => `bert.encoder.layer.${l}.`)];
  if (cfg.kind === 'decoder') {
    // ln_f sits between the top layer and the head: it trains with the top layers, and alone for 'head'.
    return ['transformer.wte.', 'transformer.wpe.', ...frozenLayers.map((l) => `transformer.h.${l}.`)];
  }
  throw new Error('trainable scopes are built for BERT and GPT runs');
}
