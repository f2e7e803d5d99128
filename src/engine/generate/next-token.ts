// What the model predicts for the next token, before any sampling rule: the softmax of one row
// of logits (temperature 1, no penalty, no top-k/top-p), as the textbook's P(next | context).
// Shown beside generated text so a reader sees how sure the model was at each step.

export interface Candidate {
  id: number;
  probability: number;
}

/** The softmax of `logits` in float64 (max-subtracted, so large logits do not overflow). */
export function softmax64(logits: ArrayLike<number>): Float64Array {
  const p = new Float64Array(logits.length);
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  if (!Number.isFinite(max)) throw new Error(`next-token: logits have no finite maximum (${max})`);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += p[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return p;
}

/** The `k` most probable next tokens, most probable first (the lower id first on ties). */
export function topCandidates(probabilities: Float64Array, k: number): Candidate[] {
  const n = Math.min(Math.max(0, Math.floor(k)), probabilities.length);
  // k is small (a handful for display): one pass keeping a sorted list beats sorting V entries.
  const best: Candidate[] = [];
  for (let id = 0; id < probabilities.length; id++) {
    const probability = probabilities[id];
    if (best.length === n && (n === 0 || probability <= best[n - 1].probability)) continue;
    let at = best.length;
    while (at > 0 && best[at - 1].probability < probability) at--;
    best.splice(at, 0, { id, probability });
    if (best.length > n) best.pop();
  }
  return best;
}
