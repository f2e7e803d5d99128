// Learning-rate schedules as plain CPU functions of the iteration (0-based), nanoGPT's get_lr:
// linear warmup lr * (it + 1) / (warmupIters + 1), then a decay from lr to minLr over
// [warmupIters, decayIters] (cosine, linear, or none), then minLr.

export type LrSchedule =
  | { kind: 'cosine'; lr: number; minLr: number; warmupIters: number; decayIters: number }
  | { kind: 'linear'; lr: number; minLr: number; warmupIters: number; decayIters: number }
  | { kind: 'constant'; lr: number; warmupIters: number };

export function learningRate(schedule: LrSchedule, it: number): number {
  const { lr, warmupIters } = schedule;
  if (it < warmupIters) return (lr * (it + 1)) / (warmupIters + 1);
  if (schedule.kind === 'constant') return lr;
  const { minLr, decayIters } = schedule;
  if (it > decayIters) return minLr;
  if (decayIters <= warmupIters) return minLr; // no room to decay
  const ratio = (it - warmupIters) / (decayIters - warmupIters);
  const coeff = schedule.kind === 'cosine' ? 0.5 * (1 + Math.cos(Math.PI * ratio)) : 1 - ratio;
  return minLr + coeff * (lr - minLr);
}
