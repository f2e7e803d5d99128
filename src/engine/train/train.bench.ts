// The full training step as a benchmark (picked up by `npm run bench`): the reference "baby
// shakespeare_char" model, nanoGPT's CPU configuration (4 layers, 4 heads, n_embd 128, block 64,
// batch 12, vocab 65, no bias, tied, dropout 0), AdamW with clipping, on a fixed token batch (the
// step's cost does not depend on the text). One run = one replayed step (upload, one encoder,
// submit) waited to completion, so ms/run is the step time and tokens/s = 12 * 64 / time. The
// pipelined case submits steps back to back as training does (metrics read a few steps late) and
// reports the time per step.
import type { GpuContext } from '../gpu/device';
import { type BenchCase, registerBench } from '../bench/registry';
import { BABY_SHAKESPEARE, type ModelConfig } from '../model/config';
import { buildParamLayout } from '../model/params';
import { TrainStep } from './step';

/** A TrainStep for a decoder config with small deterministic weights, and a fixed token batch. */
export function benchStep(ctx: GpuContext, cfg: ModelConfig, batchSize: number) {
  const T = cfg.blockSize;
  const layout = buildParamLayout(cfg);
  const step = new TrainStep(ctx, layout, {
    batch: { batchSize, seqLen: T },
    adamw: { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 },
    gradClip: 1,
  });
  // Small deterministic weights (a linear congruential generator): the cost does not depend on them.
  const init = new Float32Array(layout.totalFloats);
  let s = 12345;
  for (let i = 0; i < init.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    init[i] = (s / 2 ** 32 - 0.5) * 0.04;
  }
  step.setParams(init);
  const batch = {
    idx: Uint32Array.from({ length: batchSize * T }, (_, i) => (i * 7919) % cfg.vocabSize),
    targets: Uint32Array.from({ length: batchSize * T }, (_, i) => (i * 104729 + 1) % cfg.vocabSize),
  };
  return { step, batch };
}

/** A training-step bench case for a decoder config and batch size: `steps` submitted, then waited for. */
export function trainStepCase(name: string, cfg: ModelConfig, batchSize: number, steps = 1): BenchCase {
  const T = cfg.blockSize;
  return {
    name,
    shape: `B=${batchSize} T=${T} L=${cfg.nLayer} C=${cfg.nEmbd} V=${cfg.vocabSize}`,
    tokens: batchSize * T,
    stepsPerRun: steps,
    setup(ctx: GpuContext) {
      const { step, batch } = benchStep(ctx, cfg, batchSize);
      return {
        async run() {
          for (let i = 0; i < steps; i++) await step.run([batch], 1e-3);
          await step.flush();
        },
        dispose: () => step.destroy(),
      };
    },
  };
}

registerBench({
  name: 'train.step',
  cases: () => [
    trainStepCase('baby shakespeare_char', BABY_SHAKESPEARE, 12),
    trainStepCase('baby, 8 steps pipelined', BABY_SHAKESPEARE, 12, 8),
  ],
});
