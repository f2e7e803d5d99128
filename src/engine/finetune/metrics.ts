// Classification scores from (true, predicted) label ids, as scikit-learn computes them:
//   confusion[t][p]  rows are true labels, columns predictions (sklearn.metrics.confusion_matrix)
//   precision_k = confusion[k][k] / Σ_t confusion[t][k]   (0 when nothing was predicted k)
//   recall_k    = confusion[k][k] / Σ_p confusion[k][p]   (0 when class k has no rows)
//   f1_k        = 2 P R / (P + R)                          (0 when P + R = 0)
//   macro-F1    = mean over classes of f1_k (every class counts the same, however rare)

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Rows whose true label is this one. */
  support: number;
}

export interface ClassificationMetrics {
  count: number;
  accuracy: number;
  macroF1: number;
  perClass: ClassMetrics[];
  /** confusion[true][predicted]. */
  confusion: number[][];
}

export function classificationMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>, labels: readonly string[]): ClassificationMetrics {
  const K = labels.length;
  if (truth.length !== predicted.length) throw new Error(`classificationMetrics: ${truth.length} true labels, ${predicted.length} predictions`);
  const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i], p = predicted[i];
    if (!(t >= 0 && t < K && p >= 0 && p < K)) throw new Error(`classificationMetrics: row ${i} has label ${t} / prediction ${p}, outside 0..${K - 1}`);
    confusion[t][p]++;
    if (t === p) correct++;
  }
  const perClass = labels.map((label, k) => {
    const tp = confusion[k][k];
    const predictedK = confusion.reduce((s, row) => s + row[k], 0);
    const support = confusion[k].reduce((s, x) => s + x, 0);
    const precision = predictedK > 0 ? tp / predictedK : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  const n = truth.length;
  return { count: n, accuracy: n ? correct / n : 0, macroF1: K ? perClass.reduce((s, c) => s + c.f1, 0) / K : 0, perClass, confusion };
}

/** Index of the largest value of row r of [rows, K] logits (the first on ties, as torch.argmax). */
export function argmaxRows(logits: Float32Array, K: number): Uint32Array {
  const rows = logits.length / K;
  const out = new Uint32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (logits[r * K + k] > logits[r * K + best]) best = k;
    out[r] = best;
  }
  return out;
}

/** Softmax of each row of [rows, K] logits (max subtracted first). */
export function softmaxRows(logits: Float32Array, K: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let r = 0; r < logits.length / K; r++) {
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, logits[r * K + k]);
    let s = 0;
    for (let k = 0; k < K; k++) s += (out[r * K + k] = Math.exp(logits[r * K + k] - m));
    for (let k = 0; k < K; k++) out[r * K + k] /= s;
  }
  return out;
}
