// Shapes shared by the attention views.

/**
 * Attention probabilities of one layer: row-major [heads, tq, tk], each row (one query, one head)
 * a softmax over keys. Self attention has tq === tk; cross attention has tq decoder tokens and tk
 * encoder tokens.
 */
export interface AttentionLayer {
  probs: Float32Array;
  heads: number;
  tq: number;
  tk: number;
}

/** One head of one layer, or any [rows, cols] matrix the views draw (e.g. a rollout). */
export interface AttentionMatrix {
  values: ArrayLike<number>; // row-major [rows, cols]
  rows: number;
  cols: number;
}

export function checkLayer(layer: AttentionLayer, op: string): void {
  const { probs, heads, tq, tk } = layer;
  if (probs.length !== heads * tq * tk) {
    throw new Error(`${op}: probs has ${probs.length} values, expected heads*tq*tk = ${heads}*${tq}*${tk}`);
  }
}

/** View of head `h` of a layer as a matrix (no copy). */
export function headMatrix(layer: AttentionLayer, h: number): AttentionMatrix {
  checkLayer(layer, 'headMatrix');
  if (h < 0 || h >= layer.heads) throw new Error(`headMatrix: head ${h} out of range [0, ${layer.heads})`);
  const size = layer.tq * layer.tk;
  return { values: layer.probs.subarray(h * size, (h + 1) * size), rows: layer.tq, cols: layer.tk };
}
