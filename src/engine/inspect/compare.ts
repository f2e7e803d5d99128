// The difference of one sentence's attention under two sets of weights: b − a, per layer
// [heads, t, t]. Both must have read the sentence as the same tokens (the same tokenizer) and
// have the same number of layers and heads, or the maps do not line up cell for cell. An
// encoder-decoder's decoder self-attention and cross-attention are differenced the same way
// (attentionDifferences), its decoder inputs compared like the tokens.

export interface ComparedSentence {
  ids: readonly number[];
  /** Per layer, [heads, t, t]. */
  layers: readonly Float32Array[];
  target?: { ids: readonly number[] };
  decoder?: readonly Float32Array[];
  cross?: readonly Float32Array[];
}

type Shapes = { a: { nLayer: number; nHead: number }; b: { nLayer: number; nHead: number } };

/** Every part's difference b − a: `layers` always; `decoder` and `cross` for encoder-decoders. */
export function attentionDifferences(a: ComparedSentence, b: ComparedSentence, shape: Shapes): { layers: Float32Array[]; decoder?: Float32Array[]; cross?: Float32Array[] } {
  const layers = attentionDifference(a, b, shape);
  if (!a.target && !b.target) return { layers };
  if (!a.target || !b.target || !a.decoder || !b.decoder || !a.cross || !b.cross) throw new Error('attention compare: one model is an encoder-decoder and the other is not');
  const decoder = attentionDifference({ ids: a.target.ids, layers: a.decoder }, { ids: b.target.ids, layers: b.decoder }, shape);
  const cross = a.cross.map((pa, l) => subtract(pa, b.cross![l], l));
  return { layers, decoder, cross };
}

function subtract(pa: Float32Array, pb: Float32Array, l: number): Float32Array {
  if (pb.length !== pa.length) throw new Error(`attention compare: layer ${l} has ${pa.length} values in a, ${pb.length} in b`);
  const d = new Float32Array(pa.length);
  for (let k = 0; k < pa.length; k++) d[k] = pb[k] - pa[k];
  return d;
}

export function attentionDifference(a: ComparedSentence, b: ComparedSentence, shape: Shapes): Float32Array[] {
  if (shape.a.nLayer !== shape.b.nLayer || shape.a.nHead !== shape.b.nHead) {
    throw new Error(`attention compare: the models differ in shape (a: ${shape.a.nLayer} layers × ${shape.a.nHead} heads, b: ${shape.b.nLayer} × ${shape.b.nHead})`);
  }
  if (a.ids.length !== b.ids.length || a.ids.some((id, i) => id !== b.ids[i])) {
    throw new Error(`attention compare: the sentence is tokenized differently (a: [${a.ids.join(' ')}], b: [${b.ids.join(' ')}]): compare runs with the same tokenizer`);
  }
  return a.layers.map((pa, l) => subtract(pa, b.layers[l], l));
}
