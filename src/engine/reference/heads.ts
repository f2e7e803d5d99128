// Float64 reference of the head split / merge permutations (attention on wide tensors is tested against these).
// split: x [B, T, W] columns [col, col + H*D) -> out [B, H, T, D]; merge: y [B, H, T, D] -> out [B, T, H*D].

export function headsSplit(x: ArrayLike<number>, B: number, T: number, W: number, H: number, D: number, col: number): Float64Array {
  const out = new Float64Array(B * H * T * D);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let t = 0; t < T; t++)
        for (let d = 0; d < D; d++) out[((b * H + h) * T + t) * D + d] = x[(b * T + t) * W + col + h * D + d];
  return out;
}

export function headsMerge(y: ArrayLike<number>, B: number, T: number, H: number, D: number): Float64Array {
  const out = new Float64Array(B * T * H * D);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let t = 0; t < T; t++)
        for (let d = 0; d < D; d++) out[(b * T + t) * H * D + h * D + d] = y[((b * H + h) * T + t) * D + d];
  return out;
}
