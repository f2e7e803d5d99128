// Float64 reference of the embedding gather and its scatter-add gradient.
// ids: [N] u32 (ids >= V gather zeros and receive no gradient); table: [V, C]; out: [N, C].

export function embeddingForward(ids: ArrayLike<number>, table: ArrayLike<number>, V: number, C: number): Float64Array {
  const out = new Float64Array(ids.length * C);
  for (let p = 0; p < ids.length; p++) {
    const id = ids[p];
    if (id >= V) continue;
    for (let c = 0; c < C; c++) out[p * C + c] = table[id * C + c];
  }
  return out;
}

/** dTable [V, C] from dOut [N, C]: rows summed in position order. */
export function embeddingBackward(dOut: ArrayLike<number>, ids: ArrayLike<number>, V: number, C: number): Float64Array {
  const dTable = new Float64Array(V * C);
  for (let p = 0; p < ids.length; p++) {
    const id = ids[p];
    if (id >= V) continue;
    for (let c = 0; c < C; c++) dTable[id * C + c] += dOut[p * C + c];
  }
  return dTable;
}

/** Position ids of a [B, T] batch: t for every (b, t). */
export function positionIds(B: number, T: number): Uint32Array {
  return Uint32Array.from({ length: B * T }, (_, p) => p % T);
}
