// Float64 reference of layernorm over the last dimension (biased variance, as PyTorch).
// x: [N, C]; gamma, beta: [C]; out: [N, C]; mean, rstd: [N].

export function layernormForward(x: ArrayLike<number>, gamma: ArrayLike<number>, beta: ArrayLike<number>, N: number, C: number, eps = 1e-5) {
  const out = new Float64Array(N * C);
  const mean = new Float64Array(N);
  const rstd = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    let m = 0;
    for (let c = 0; c < C; c++) m += x[n * C + c];
    m /= C;
    let v = 0;
    for (let c = 0; c < C; c++) v += (x[n * C + c] - m) ** 2;
    v /= C;
    const r = 1 / Math.sqrt(v + eps);
    for (let c = 0; c < C; c++) out[n * C + c] = (x[n * C + c] - m) * r * gamma[c] + beta[c];
    mean[n] = m;
    rstd[n] = r;
  }
  return { out, mean, rstd };
}

export function layernormBackward(
  dOut: ArrayLike<number>, x: ArrayLike<number>, gamma: ArrayLike<number>,
  mean: ArrayLike<number>, rstd: ArrayLike<number>, N: number, C: number,
) {
  const dx = new Float64Array(N * C);
  const dgamma = new Float64Array(C);
  const dbeta = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    let dnormMean = 0;
    let dnormXhatMean = 0;
    for (let c = 0; c < C; c++) {
      const xhat = (x[n * C + c] - mean[n]) * rstd[n];
      const dnorm = dOut[n * C + c] * gamma[c];
      dnormMean += dnorm;
      dnormXhatMean += dnorm * xhat;
      dgamma[c] += dOut[n * C + c] * xhat;
      dbeta[c] += dOut[n * C + c];
    }
    dnormMean /= C;
    dnormXhatMean /= C;
    for (let c = 0; c < C; c++) {
      const xhat = (x[n * C + c] - mean[n]) * rstd[n];
      const dnorm = dOut[n * C + c] * gamma[c];
      dx[n * C + c] = (dnorm - dnormMean - xhat * dnormXhatMean) * rstd[n];
    }
  }
  return { dx, dgamma, dbeta };
}
