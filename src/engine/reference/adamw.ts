// Float64 reference of PyTorch's AdamW (torch.optim.AdamW, amsgrad off, maximize off) with
// clip_grad_norm_ applied first, as nanoGPT trains:
//   clip = min(1, maxNorm / (||g|| + 1e-6)); g *= clip
//   w *= 1 - lr * wd;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
}

export function gradNorm(g: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  return Math.sqrt(s);
}

export function clipScale(norm: number, maxNorm: number): number {
  return maxNorm > 0 ? Math.min(1, maxNorm / (norm + 1e-6)) : 1;
}

/** One step on w, m, v (Float64Arrays, updated in place); weightDecay and the lr (a param group's) per element or one lr for all. */
export function adamwStep(
  w: Float64Array, m: Float64Array, v: Float64Array, g: ArrayLike<number>,
  weightDecay: ArrayLike<number>, lrs: number | ArrayLike<number>, step: number, cfg: AdamWConfig, clip = 1,
): void {
  const bc1 = 1 - cfg.beta1 ** step;
  const bc2 = 1 - cfg.beta2 ** step;
  for (let i = 0; i < w.length; i++) {
    const lr = typeof lrs === 'number' ? lrs : lrs[i];
    const gi = g[i] * clip;
    w[i] *= 1 - lr * weightDecay[i];
    m[i] = cfg.beta1 * m[i] + (1 - cfg.beta1) * gi;
    v[i] = cfg.beta2 * v[i] + (1 - cfg.beta2) * gi * gi;
    w[i] -= (lr / bc1) * (m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + cfg.eps));
  }
}
