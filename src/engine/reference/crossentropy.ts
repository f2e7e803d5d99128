// Float64 reference of fused log-softmax + cross-entropy with an ignore index.
// logits: [N, V]; targets: [N] (a target >= V, e.g. 0xFFFFFFFF, is ignored: loss 0, gradient 0, not counted).
// loss_n = logsumexp(logits_n) - logits_n[target_n]; mean = sum(loss) / count;
// dlogits = (softmax - onehot) * gradScale / count; correct = #{counted n : argmax(logits_n) == target_n}.

export function crossEntropy(logits: ArrayLike<number>, targets: ArrayLike<number>, N: number, V: number, gradScale = 1) {
  const losses = new Float64Array(N);
  const dlogits = new Float64Array(N * V);
  let count = 0;
  for (let n = 0; n < N; n++) if (targets[n] < V) count++;
  let sum = 0;
  let correct = 0;
  for (let n = 0; n < N; n++) {
    const t = targets[n];
    if (t >= V) continue;
    let max = -Infinity;
    let argmax = 0;
    for (let j = 0; j < V; j++) if (logits[n * V + j] > max) { max = logits[n * V + j]; argmax = j; }
    let se = 0;
    for (let j = 0; j < V; j++) se += Math.exp(logits[n * V + j] - max);
    losses[n] = Math.log(se) + max - logits[n * V + t];
    sum += losses[n];
    if (argmax === t) correct++;
    for (let j = 0; j < V; j++) {
      const p = Math.exp(logits[n * V + j] - max) / se;
      dlogits[n * V + j] = ((p - (j === t ? 1 : 0)) * gradScale) / count;
    }
  }
  return { losses, dlogits, count, correct, mean: count > 0 ? sum / count : 0 };
}
