// The reference "baby shakespeare_char" training step as a benchmark: nanoGPT's CPU configuration
// (4 layers, 4 heads, n_embd 128, block 64, batch 12, vocab 65, no bias, tied, dropout 0), AdamW
// with clipping, random token batches (the step's cost does not depend on the text). Reports
// ms per optimizer step and tokens per second, after warm-up steps that compile every pipeline.
import type { GpuContext } from '../gpu/device';
import { BABY_SHAKESPEARE, type ModelConfig } from '../model/config';
import { buildParamLayout } from '../model/params';
import { TrainStep } from './step';

export interface StepBenchResult {
  name: string;
  msPerStep: number;
  tokensPerSecond: number;
  /** Compute dispatches one step encodes. */
  dispatches: number;
  steps: number;
  params: number;
}

export async function benchTrainStep(
  ctx: GpuContext,
  options: { config?: ModelConfig; batchSize?: number; steps?: number; warmup?: number; name?: string } = {},
): Promise<StepBenchResult> {
  const cfg = options.config ?? BABY_SHAKESPEARE;
  const B = options.batchSize ?? 12;
  const T = cfg.blockSize;
  const layout = buildParamLayout(cfg);
  const step = new TrainStep(ctx, layout, {
    batch: { batchSize: B, seqLen: T },
    adamw: { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 },
    gradClip: 1,
  });
  const init = new Float32Array(layout.totalFloats);
  let s = 12345;
  for (let i = 0; i < init.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    init[i] = ((s / 2 ** 32) - 0.5) * 0.04;
  }
  step.setParams(init);
  const batch = {
    idx: Uint32Array.from({ length: B * T }, (_, i) => (i * 7919) % cfg.vocabSize),
    targets: Uint32Array.from({ length: B * T }, (_, i) => (i * 104729 + 1) % cfg.vocabSize),
  };
  const warmup = options.warmup ?? 2;
  const steps = options.steps ?? 5;
  for (let i = 0; i < warmup; i++) await step.run([batch], 1e-3);
  await step.flush();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step.run([batch], 1e-3);
  await step.flush();
  const ms = (performance.now() - t0) / steps;
  const result: StepBenchResult = {
    name: options.name ?? 'train.step.baby_shakespeare_char',
    msPerStep: ms,
    tokensPerSecond: (B * T * 1000) / ms,
    dispatches: step.dispatchCount,
    steps,
    params: layout.count,
  };
  step.destroy();
  return result;
}
