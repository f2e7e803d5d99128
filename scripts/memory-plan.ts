// Planned GPU memory of one training step, before and after lifetime pooling (issue #11), as JSON.
// Needs no GPU: the step is planned on a dry-run context (model/memory.ts), with no adapter limits
// (nothing split) unless --adapter, which plans for this machine's adapter instead.
//
//   node --import tsx --import ./scripts/register-wgsl.mjs scripts/memory-plan.ts [--adapter] [--run N] [--only TEXT]
//
// --only TEXT keeps the models whose name contains TEXT.
// --run N (implies --adapter) also builds each step on the adapter, counts the bytes it creates
// (to compare with the plan) and runs N steps of a fixed synthetic batch: the loss must fall, and
// no step may create a buffer. Slow on a software driver for the larger models.
//
// "before" is what commit f6ea529 (main before this work) showed and allocated: its formula
// (reproduced below, unchanged, for the comparison only) and one buffer per activation tensor,
// which is this step's allocation with the pooled buffers replaced by one per tensor (nothing
// else changed). "after" is the planned allocation, the figure estimateMemory now reports.
import { PRESETS } from '../src/engine/config/presets.ts';
import { DEFAULT_TRAIN_OPTIONS, modelConfigFor } from '../src/engine/config/train-config.ts';
import { GpuContext } from '../src/engine/gpu/device.ts';
import { BABY_SHAKESPEARE, decoderConfig, type ModelConfig } from '../src/engine/model/config.ts';
import { estimateMemory } from '../src/engine/model/memory.ts';
import { buildParamLayout, type ParamLayout } from '../src/engine/model/params.ts';
import { TrainStep } from '../src/engine/train/step.ts';

/** f6ea529's estimateMemory (activations + 4 x parameters), kept to report the old figure. */
function mainFormula(layout: ParamLayout, B: number, T: number): { totalBytes: number; activationBytes: number } {
  const cfg = layout.config;
  const BT = B * T;
  const block = (cross: boolean) => {
    const { nEmbd: C, ffWidth: F, nHead: H } = cfg;
    let floats = 10 * BT * C + 4 * BT + 2 * BT * F + 2 * B * H * T * T;
    if (cross) floats += 6 * BT * C + 2 * BT + 2 * B * H * T * T;
    if (cfg.dropout > 0) floats += 3 * BT * C + B * H * T * T;
    return floats;
  };
  const stacks = cfg.kind === 'encoder-decoder' ? 2 : 1;
  let acts = 0;
  for (let s = 0; s < stacks; s++) {
    acts += 2 * BT * cfg.nEmbd + 2 * BT;
    for (let l = 0; l < cfg.nLayer; l++) acts += block(s === 1);
  }
  acts += 2 * BT * cfg.vocabSize + 2 * BT * cfg.nEmbd;
  const scratch = block(stacks === 2) + 2 * BT * cfg.nEmbd;
  const activationBytes = (acts + scratch) * 4;
  return { totalBytes: 4 * layout.totalFloats * 4 + activationBytes, activationBytes };
}

const small = { ...DEFAULT_TRAIN_OPTIONS, ...PRESETS.small.options };
const cases: { name: string; cfg: ModelConfig; batchSize: number; seqLen: number }[] = [
  { name: 'baby shakespeare_char (preset baby-shakespeare-char)', cfg: BABY_SHAKESPEARE, batchSize: 12, seqLen: 64 },
  // The small preset on tinyshakespeare's 65 characters (its char tokenizer).
  { name: 'small preset (char vocab 65, dropout 0.2)', cfg: modelConfigFor(small, 65), batchSize: small.batchSize, seqLen: small.blockSize },
  { name: 'GPT-2 124M (12x768, block 1024, vocab 50304)', cfg: decoderConfig(), batchSize: 8, seqLen: 1024 },
];

const MiB = 2 ** 20;
const mib = (n: number) => Math.round((n / MiB) * 10) / 10;
const runAt = process.argv.indexOf('--run');
const runSteps = runAt >= 0 ? Number(process.argv[runAt + 1]) : 0;
const ctx = process.argv.includes('--adapter') || runSteps > 0 ? await GpuContext.open() : undefined;
const optimizer = { adamw: { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 }, gradClip: 1 };

/** Builds the step on the adapter, counting what it creates, and runs `steps` steps of a learnable synthetic batch. */
async function run(gpu: GpuContext, layout: ParamLayout, batchSize: number, seqLen: number, steps: number) {
  let createdBytes = 0;
  const create = gpu.createBuffer.bind(gpu);
  gpu.createBuffer = (d) => {
    createdBytes += d.size;
    return create(d);
  };
  let step: TrainStep;
  try {
    step = new TrainStep(gpu, layout, { batch: { batchSize, seqLen }, ...optimizer });
  } finally {
    gpu.createBuffer = create;
  }
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const flat = Float32Array.from({ length: layout.totalFloats }, () => (rand() - 0.5) * 0.04);
  for (const slab of layout.slabs) if (/ln|norm/i.test(slab.key) && slab.key.endsWith('weight')) flat.fill(1, slab.offset, slab.offset + slab.numel);
  step.setParams(flat);
  const V = Math.min(50, layout.config.vocabSize);
  const idx = Uint32Array.from({ length: batchSize * seqLen }, () => Math.floor(rand() * V));
  const targets = idx.map((t) => (t * 7 + 3) % V);
  const before = gpu.buffersCreated;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step.run([{ idx, targets }], 3e-4);
  const metrics = await step.flush();
  const msPerStep = Math.round((performance.now() - t0) / steps);
  step.destroy();
  return { createdBytes, buffersCreatedBySteps: gpu.buffersCreated - before, msPerStep, losses: metrics.map((m) => +m.loss.toFixed(4)) };
}

const rows = [];
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : '';
for (const { name, cfg, batchSize, seqLen } of cases.filter((c) => c.name.includes(only))) {
  const layout = buildParamLayout(cfg);
  const est = estimateMemory(layout, { batchSize, seqLen }, { device: ctx, optimizer });
  const formula = mainFormula(layout, batchSize, seqLen);
  const allocatedBefore = est.totalBytes - est.pooledActivationBytes + est.unpooledActivationBytes;
  rows.push({
    model: name,
    params: layout.count,
    batch: `${batchSize}x${seqLen}`,
    before: {
      formulaTotalMiB: mib(formula.totalBytes),
      formulaActivationMiB: mib(formula.activationBytes),
      allocatedTotalMiB: mib(allocatedBefore),
      allocatedActivationMiB: mib(est.unpooledActivationBytes),
    },
    after: {
      totalMiB: mib(est.totalBytes),
      paramsMiB: mib(est.paramBytes),
      gradsMiB: mib(est.gradBytes),
      adamMiB: mib(est.adamBytes),
      pooledActivationMiB: mib(est.pooledActivationBytes),
      scratchMiB: mib(est.scratchBytes),
      totalBytes: est.totalBytes,
      buffers: est.buffers,
      largest: `${est.largestTensorName}: ${mib(est.largestTensorBytes)} MiB`,
    },
    activationsSaved: `${(100 * (1 - est.pooledActivationBytes / est.unpooledActivationBytes)).toFixed(1)}%`,
    ...(ctx && runSteps > 0 ? { run: await run(ctx, layout, batchSize, seqLen, runSteps) } : {}),
  });
}
console.log(JSON.stringify({ adapter: ctx ? ctx.report.description || ctx.report.device : 'none (no limits)', rows }, null, 2));
ctx?.destroy();
