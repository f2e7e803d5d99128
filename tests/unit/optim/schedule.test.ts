import { expect, test } from 'vitest';
import { learningRate, type LrSchedule } from '../../../src/engine/optim/schedule';

// nanoGPT train.py get_lr, transcribed independently (cosine); linear replaces the cosine coefficient.
function nanoGptLr(it: number, lr: number, minLr: number, warmup: number, decay: number, linear = false): number {
  if (it < warmup) return (lr * (it + 1)) / (warmup + 1);
  if (it > decay) return minLr;
  const ratio = (it - warmup) / (decay - warmup);
  expect(ratio >= 0 && ratio <= 1).toBe(true);
  const coeff = linear ? 1 - ratio : 0.5 * (1.0 + Math.cos(Math.PI * ratio));
  return minLr + coeff * (lr - minLr);
}

test('warmup + cosine to min lr follows nanoGPT (baby shakespeare: 1e-3, 100 warmup, 2000 decay, 1e-4)', () => {
  const s: LrSchedule = { kind: 'cosine', lr: 1e-3, minLr: 1e-4, warmupIters: 100, decayIters: 2000 };
  for (const it of [0, 1, 50, 99, 100, 101, 777, 1999, 2000, 2001, 5000]) {
    expect(learningRate(s, it)).toBeCloseTo(nanoGptLr(it, 1e-3, 1e-4, 100, 2000), 15);
  }
  expect(learningRate(s, 100)).toBeCloseTo(1e-3, 15);
  expect(learningRate(s, 2000)).toBeCloseTo(1e-4, 15);
  expect(learningRate(s, 1050)).toBeCloseTo(5.5e-4, 12); // half way: the mean of lr and minLr
});

test('linear decay and constant schedules', () => {
  const lin: LrSchedule = { kind: 'linear', lr: 2e-4, minLr: 0, warmupIters: 10, decayIters: 110 };
  for (const it of [0, 9, 10, 60, 110, 111]) expect(learningRate(lin, it)).toBeCloseTo(nanoGptLr(it, 2e-4, 0, 10, 110, true), 15);
  expect(learningRate(lin, 60)).toBeCloseTo(1e-4, 15);
  const constant: LrSchedule = { kind: 'constant', lr: 3e-4, warmupIters: 4 };
  expect([0, 3, 4, 1e6].map((it) => learningRate(constant, it))).toEqual([3e-4 / 5, (3e-4 * 4) / 5, 3e-4, 3e-4]);
});
