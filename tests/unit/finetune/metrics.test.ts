// Classification scores against numbers computed independently with numpy (bincount confusion,
// diag / column sums / row sums), as printed in the comments; and the zero-division rules.
import { expect, test } from 'vitest';
import { argmaxRows, classificationMetrics, softmaxRows } from '../../../src/engine/finetune/metrics';

test('confusion matrix, accuracy, per-class precision/recall/F1 and macro-F1 match numpy', () => {
  const truth = [0, 1, 2, 2, 1, 0, 0, 2, 1, 1, 2, 0];
  const pred = [0, 2, 2, 1, 1, 0, 1, 2, 1, 0, 2, 2];
  const m = classificationMetrics(truth, pred, ['a', 'b', 'c']);
  // numpy: np.bincount(t*3+p).reshape(3,3)
  expect(m.confusion).toEqual([[2, 1, 1], [1, 2, 1], [0, 1, 3]]);
  expect(m.confusion.flat().reduce((s, x) => s + x, 0)).toBe(truth.length);
  expect(m.accuracy).toBeCloseTo(0.5833333333333334, 12);
  const ref = { p: [0.6666666666666666, 0.5, 0.6], r: [0.5, 0.5, 0.75], f: [0.5714285714285715, 0.5, 0.6666666666666665] };
  m.perClass.forEach((c, k) => {
    expect(c.precision).toBeCloseTo(ref.p[k], 12);
    expect(c.recall).toBeCloseTo(ref.r[k], 12);
    expect(c.f1).toBeCloseTo(ref.f[k], 12);
  });
  expect(m.perClass.map((c) => c.support)).toEqual([4, 4, 4]);
  expect(m.macroF1).toBeCloseTo(0.5793650793650794, 12);
});

test('a class never predicted (or absent) scores 0, and macro-F1 counts it: the majority baseline is not rewarded', () => {
  const m = classificationMetrics([0, 0, 0, 1], [0, 0, 0, 0], ['neg', 'pos']);
  expect(m.accuracy).toBe(0.75);
  expect(m.perClass[1]).toEqual({ label: 'pos', precision: 0, recall: 0, f1: 0, support: 1 });
  expect(m.macroF1).toBeCloseTo((2 * 0.75 * 1) / 1.75 / 2, 12);
  expect(() => classificationMetrics([0, 2], [0, 0], ['a', 'b'])).toThrow(/row 1 has label 2/);
});

test('argmax takes the first of ties (torch.argmax) and softmax rows sum to 1', () => {
  const logits = Float32Array.of(1, 3, 3, -1, -2, -3);
  expect([...argmaxRows(logits, 3)]).toEqual([1, 0]);
  const p = softmaxRows(logits, 3);
  expect(p[0] + p[1] + p[2]).toBeCloseTo(1, 6);
  expect(p[3] / p[4]).toBeCloseTo(Math.E, 5);
});
