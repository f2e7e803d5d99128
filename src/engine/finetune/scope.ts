// Which weights a fine-tune trains, as TrainOptions.frozen-style tensor-name prefixes:
//   head   the classification head alone (BERT: pooler + classifier; GPT: score)
//   top:N  the head and the top N transformer layers
//   all    everything
//   lora   LoRA adapters (model/lora.ts) and the head: every base tensor frozen (GPT's ln_f too, as
//          PEFT leaves it), the adapters' A and B train beside them
// BART (encoder-decoder): the head is classification_head; top:N is the top N decoder layers (the
// encoder and the decoder's embeddings stay frozen).
// Everything below the trainable part is frozen: no weight gradient, no AdamW update, its bits
// unchanged (params.ts trainableRanges), and no backward at all below the lowest trainable layer.
import type { ModelConfig } from '../model/config';
import { LORA_DEFAULTS, type LoraSpec } from '../model/lora';

export type Scope = { kind: 'head' } | { kind: 'top'; layers: number } | { kind: 'all' } | { kind: 'lora'; lora: LoraSpec };

/** `lora` is the adapters' settings when the scope is 'lora' (PEFT's defaults otherwise). */
export function parseScope(text: string, lora: LoraSpec = LORA_DEFAULTS): Scope {
  if (text === 'head' || text === 'all') return { kind: text };
  if (text === 'lora') return { kind: 'lora', lora };
  const m = /^top:(\d+)$/.exec(text);
  if (m) return { kind: 'top', layers: Number(m[1]) };
  throw new Error(`--scope must be head, top:N, all or lora (got '${text}')`);
}

export function scopeName(s: Scope): string {
  return s.kind === 'top' ? `top:${s.layers}` : s.kind;
}

/** The frozen prefixes of `scope` on this model. */
export function frozenPrefixes(cfg: ModelConfig, scope: Scope): string[] {
  if (scope.kind === 'all') return [];
  const L = cfg.nLayer;
  const trainLayers = scope.kind === 'top' ? scope.layers : 0;
  if (!(Number.isInteger(trainLayers) && trainLayers >= 0 && trainLayers <= L)) throw new Error(`--scope top:${trainLayers}: the model has ${L} layers`);
  const frozenLayers = Array.from({ length: L - trainLayers }, (_, l) => l);
  if (cfg.kind === 'encoder') return ['bert.embeddings.', ...frozenLayers.map((l) => `bert.encoder.layer.${l}.`)];
  if (cfg.kind === 'decoder') {
    // ln_f sits between the top layer and the head: it trains with the top layers, and alone for 'head'.
    const lnf = scope.kind === 'lora' ? ['transformer.ln_f.'] : [];
    return ['transformer.wte.', 'transformer.wpe.', ...frozenLayers.map((l) => `transformer.h.${l}.`), ...lnf];
  }
  const below = frozenLayers.map((l) => `model.decoder.layers.${l}.`);
  return scope.kind === 'head' || scope.kind === 'lora' ? ['model.'] : ['model.shared.', 'model.encoder.', 'model.decoder.embed_positions.', 'model.decoder.layernorm_embedding.', ...below];
}
