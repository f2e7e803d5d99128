// The difference of one sentence's attention under two sets of weights: b − a, per layer
// [heads, t, t]. Both must have read the sentence as the same tokens (the same tokenizer) and
// have the same number of layers and heads, or the maps do not line up cell for cell.

export interface ComparedSentence {
  ids: readonly number[];
  /** Per layer, [heads, t, t]. */
  layers: readonly Float32Array[];
}

export function attentionDifference(a: ComparedSentence, b: ComparedSentence, shape: { a: { nLayer: number; nHead: number }; b: { nLayer: number; nHead: number } }): Float32Array[] {
  if (shape.a.nLayer !== shape.b.nLayer || shape.a.nHead !== shape.b.nHead) {
    throw new Error(`attention compare: the models differ in shape (a: ${shape.a.nLayer} layers × ${shape.a.nHead} heads, b: ${shape.b.nLayer} × ${shape.b.nHead})`);
  }
  if (a.ids.length !== b.ids.length || a.ids.some((id, i) => id !== b.ids[i])) {
    throw new Error(`attention compare: the sentence is tokenized differently (a: [${a.ids.join(' ')}], b: [${b.ids.join(' ')}]): compare runs with the same tokenizer`);
  }
  return a.layers.map((pa, l) => {
    const pb = b.layers[l];
    if (pb.length !== pa.length) throw new Error(`attention compare: layer ${l} has ${pa.length} values in a, ${pb.length} in b`);
    const d = new Float32Array(pa.length);
    for (let k = 0; k < pa.length; k++) d[k] = pb[k] - pa[k];
    return d;
  });
}
