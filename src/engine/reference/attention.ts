// Float64 reference of scaled dot-product attention with materialized probabilities.
// q: [B, H, Tq, D]; k, v: [B, H, Tk, D]; probs: [B, H, Tq, Tk]; out: [B, H, Tq, D].
// Key j is visible to query i iff j < kvLen[b] (when lengths are given) and, if causal, j <= i.
// A query that sees no key gets all-zero probabilities and a zero output.

export interface AttentionDims {
  B: number;
  H: number;
  Tq: number;
  Tk: number;
  D: number;
  causal: boolean;
  /** [B] number of valid keys per batch row (key-padding mask); all Tk when absent. */
  kvLen?: ArrayLike<number>;
  /** Defaults to 1 / sqrt(D). */
  scale?: number;
  /** Attention dropout: per probs element, 0 or 1 / (1 - p) (see dropout.ts); out = (probs * dropMask) v. */
  dropMask?: ArrayLike<number>;
}

const visible = (d: AttentionDims, b: number, i: number, j: number) =>
  (!d.kvLen || j < d.kvLen[b]) && (!d.causal || j <= i);

export function attentionForward(q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, d: AttentionDims) {
  const { B, H, Tq, Tk, D } = d;
  const scale = d.scale ?? 1 / Math.sqrt(D);
  const probs = new Float64Array(B * H * Tq * Tk);
  const out = new Float64Array(B * H * Tq * D);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++) {
      const bh = b * H + h;
      for (let i = 0; i < Tq; i++) {
        const row = (bh * Tq + i) * Tk;
        let max = -Infinity;
        for (let j = 0; j < Tk; j++) {
          if (!visible(d, b, i, j)) continue;
          let s = 0;
          for (let c = 0; c < D; c++) s += q[(bh * Tq + i) * D + c] * k[(bh * Tk + j) * D + c];
          probs[row + j] = s * scale;
          max = Math.max(max, s * scale);
        }
        if (max === -Infinity) continue;
        let sum = 0;
        for (let j = 0; j < Tk; j++) if (visible(d, b, i, j)) sum += (probs[row + j] = Math.exp(probs[row + j] - max));
        for (let j = 0; j < Tk; j++) {
          probs[row + j] = visible(d, b, i, j) ? probs[row + j] / sum : 0;
          const kept = probs[row + j] * (d.dropMask ? d.dropMask[row + j] : 1);
          for (let c = 0; c < D; c++) out[(bh * Tq + i) * D + c] += kept * v[(bh * Tk + j) * D + c];
        }
      }
    }
  return { probs, out };
}

export function attentionBackward(
  dOut: ArrayLike<number>, q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>,
  probs: ArrayLike<number>, d: AttentionDims,
) {
  const { B, H, Tq, Tk, D } = d;
  const scale = d.scale ?? 1 / Math.sqrt(D);
  const dq = new Float64Array(B * H * Tq * D);
  const dk = new Float64Array(B * H * Tk * D);
  const dv = new Float64Array(B * H * Tk * D);
  const dp = new Float64Array(Tk);
  for (let bh = 0; bh < B * H; bh++)
    for (let i = 0; i < Tq; i++) {
      const row = (bh * Tq + i) * Tk;
      let rowDot = 0;
      for (let j = 0; j < Tk; j++) {
        let s = 0;
        for (let c = 0; c < D; c++) s += dOut[(bh * Tq + i) * D + c] * v[(bh * Tk + j) * D + c];
        dp[j] = s * (d.dropMask ? d.dropMask[row + j] : 1);
        rowDot += dp[j] * probs[row + j];
      }
      for (let j = 0; j < Tk; j++) {
        const p = probs[row + j];
        const ds = p * (dp[j] - rowDot) * scale;
        for (let c = 0; c < D; c++) {
          dq[(bh * Tq + i) * D + c] += ds * k[(bh * Tk + j) * D + c];
          dk[(bh * Tk + j) * D + c] += ds * q[(bh * Tq + i) * D + c];
          dv[(bh * Tk + j) * D + c] += p * (d.dropMask ? d.dropMask[row + j] : 1) * dOut[(bh * Tq + i) * D + c];
        }
      }
    }
  return { dq, dk, dv };
}
