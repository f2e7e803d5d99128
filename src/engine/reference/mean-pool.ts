// Float64 reference of masked mean pooling: pooled[b, c] = mean of h[b, t, c] over t < len[b]
// (len clamped to 1..T, as the kernel), and its gradient dh[b, t, c] = dpooled[b, c] / len[b] there.
const rowLength = (len: number, T: number): number => Math.min(Math.max(len, 1), T);

export function meanPoolForward(h: ArrayLike<number>, lengths: ArrayLike<number>, B: number, T: number, C: number): Float64Array {
  const out = new Float64Array(B * C);
  for (let b = 0; b < B; b++) {
    const n = rowLength(lengths[b], T);
    for (let c = 0; c < C; c++) {
      let acc = 0;
      for (let t = 0; t < n; t++) acc += h[(b * T + t) * C + c];
      out[b * C + c] = acc / n;
    }
  }
  return out;
}

export function meanPoolBackward(dPooled: ArrayLike<number>, lengths: ArrayLike<number>, B: number, T: number, C: number): Float64Array {
  const dh = new Float64Array(B * T * C);
  for (let b = 0; b < B; b++) {
    const n = rowLength(lengths[b], T);
    for (let t = 0; t < n; t++) for (let c = 0; c < C; c++) dh[(b * T + t) * C + c] = dPooled[b * C + c] / n;
  }
  return dh;
}
