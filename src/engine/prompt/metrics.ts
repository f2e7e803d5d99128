// Classification metrics over predicted and true class indices: accuracy, per-class F1 and their
// unweighted mean (macro-F1, as scikit-learn's f1_score(average='macro') over the given classes),
// and the confusion matrix (rows: true class, columns: predicted; -1 = no class, e.g. generated
// text that matches no label word, counts as wrong and appears in no column).

export interface ClassMetrics {
  n: number;
  accuracy: number;
  macroF1: number;
  f1: number[];
  /** confusion[true][predicted]. */
  confusion: number[][];
  /** Predictions that named no class. */
  unmatched: number;
}

export function classMetrics(truth: readonly number[], predicted: readonly number[], classes: number): ClassMetrics {
  if (truth.length !== predicted.length) throw new Error(`metrics: ${truth.length} labels, ${predicted.length} predictions`);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0, unmatched = 0;
  truth.forEach((t, i) => {
    const p = predicted[i];
    if (p === t) correct++;
    if (p < 0) unmatched++;
    else confusion[t][p]++;
  });
  const f1 = confusion.map((row, c) => {
    const tp = row[c];
    const fn = truth.filter((t) => t === c).length - tp; // unmatched predictions are misses too
    const fp = confusion.reduce((s, r, t) => s + (t === c ? 0 : r[c]), 0);
    return 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  });
  const n = truth.length;
  return { n, accuracy: n ? correct / n : 0, macroF1: f1.reduce((s, v) => s + v, 0) / classes, f1, confusion, unmatched };
}
