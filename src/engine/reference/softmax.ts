// Float64 reference of a row-wise softmax. x, y: [N, V].

export function softmaxForward(x: ArrayLike<number>, N: number, V: number): Float64Array {
  const y = new Float64Array(N * V);
  for (let n = 0; n < N; n++) {
    let max = -Infinity;
    for (let j = 0; j < V; j++) max = Math.max(max, x[n * V + j]);
    let sum = 0;
    for (let j = 0; j < V; j++) sum += (y[n * V + j] = Math.exp(x[n * V + j] - max));
    for (let j = 0; j < V; j++) y[n * V + j] /= sum;
  }
  return y;
}

/** dx = y * (dy - sum(y * dy)) per row. */
export function softmaxBackward(dy: ArrayLike<number>, y: ArrayLike<number>, N: number, V: number): Float64Array {
  const dx = new Float64Array(N * V);
  for (let n = 0; n < N; n++) {
    let s = 0;
    for (let j = 0; j < V; j++) s += y[n * V + j] * dy[n * V + j];
    for (let j = 0; j < V; j++) dx[n * V + j] = y[n * V + j] * (dy[n * V + j] - s);
  }
  return dx;
}
