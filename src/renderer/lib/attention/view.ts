// The matrix an attention view draws, from the engine's maps and the user's choices: one head, the
// mean of a layer's heads, or the rollout through all layers; special tokens shown or hidden.
import { renormalize } from './renormalize.ts';
import { rollout } from './rollout.ts';
import { keptIndices, type MaybeSpecial } from './specials.ts';
import { checkLayer, headMatrix, type AttentionLayer, type AttentionMatrix } from './types.ts';

export type HeadChoice = number | 'mean' | 'rollout';

export interface ViewRequest {
  layers: readonly AttentionLayer[]; // one attention kind (encoder self, decoder self or cross), first layer first
  layer: number; // ignored for 'rollout', which always spans every layer
  head: HeadChoice;
  queryTokens: readonly (MaybeSpecial | string)[];
  keyTokens?: readonly (MaybeSpecial | string)[]; // cross attention: the encoder's tokens; default queryTokens
  hideSpecials: boolean;
}

export interface View {
  matrix: AttentionMatrix;
  rowTokens: string[];
  colTokens: string[];
}

export function attentionView(req: ViewRequest): View {
  const keys = req.keyTokens ?? req.queryTokens;
  let full: AttentionMatrix;
  if (req.head === 'rollout') {
    full = rollout(req.layers);
  } else {
    const layer = req.layers[req.layer];
    if (!layer) throw new Error(`attentionView: layer ${req.layer} out of range [0, ${req.layers.length})`);
    checkLayer(layer, 'attentionView');
    full = req.head === 'mean' ? meanOfHeads(layer) : headMatrix(layer, req.head);
  }
  if (full.rows !== req.queryTokens.length || full.cols !== keys.length) {
    throw new Error(`attentionView: map is ${full.rows}x${full.cols} but there are ${req.queryTokens.length} query and ${keys.length} key tokens`);
  }
  const rows = keptIndices(req.queryTokens, req.hideSpecials);
  const cols = keptIndices(keys, req.hideSpecials);
  const text = (t: MaybeSpecial | string): string => (typeof t === 'string' ? t : t.text);
  return {
    matrix: req.hideSpecials ? renormalize(full, rows, cols) : full,
    rowTokens: rows.map((i) => text(req.queryTokens[i])),
    colTokens: cols.map((j) => text(keys[j])),
  };
}

function meanOfHeads(layer: AttentionLayer): AttentionMatrix {
  const size = layer.tq * layer.tk;
  const values = new Float32Array(size);
  for (let h = 0; h < layer.heads; h++) for (let k = 0; k < size; k++) values[k] += layer.probs[h * size + k] / layer.heads;
  return { values, rows: layer.tq, cols: layer.tk };
}
