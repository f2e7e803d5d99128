// How much GPU memory a (model, batch shape) needs, and a refusal up front when it will not fit
// (rather than a device-lost error halfway through the first step).
//
// The figure is not a formula: it is what the training step allocates. estimateMemory builds the
// real TrainStep (the graph, its recordings, the lifetime planner) on a dry-run context that
// creates no buffer and adds up the ones it was asked for. On the profile of a real context the
// estimate is the exact byte count that context will allocate for the step, give or take the few
// buffers an op makes once per context (matmul's 16-byte unused binding), which a dry run, being
// a fresh context, always counts.
import { createdBuffers, type DeviceProfile, dryRunContext, profileOf, unboundedProfile } from '../gpu/dry-run';
import type { GpuContext } from '../gpu/device';
import { AdapterLimitError, BufferSizeError, formatBytes, poolTotals } from '../gpu/planner';
import { getMatmulChoice, setMatmulChoice } from '../ops/matmul-choice';
import { TrainStep, type TrainStepOptions } from '../train/step';
import type { Seq2SeqShape } from './bart';
import type { ParamLayout } from './params';

export { formatBytes };

export interface BatchShape {
  /** Sequences per micro-batch. */
  batchSize: number;
  /** Tokens per sequence (≤ blockSize). */
  seqLen: number;
}

export interface MemoryEstimate {
  params: number;
  paramBytes: number;
  gradBytes: number;
  /** AdamW's two moments. */
  adamBytes: number;
  /** Everything else the step allocates: pooledActivationBytes + scratchBytes. */
  activationBytes: number;
  /** The lifetime planner's buffers: forward activations, their gradients, shared by lifetime. */
  pooledActivationBytes: number;
  /** What the same activations took with one buffer per tensor (before lifetime planning). */
  unpooledActivationBytes: number;
  /** Op scratch, kernel parameter uniforms, grad-norm partials, input and readback staging. */
  scratchBytes: number;
  /** Every byte the step allocates: params + grads + AdamW + activationBytes. */
  totalBytes: number;
  /** Buffers the step creates. */
  buffers: number;
  /** The largest single buffer the step allocates, and what it holds. */
  largestTensorBytes: number;
  largestTensorName: string;
}

export interface DeviceLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  /** What the caller allows the engine to use; WebGPU does not report device memory. */
  memoryBudgetBytes?: number;
}

export interface PlanOptions {
  /** Micro-batches per optimizer step (default 1; only the input staging grows with it). */
  microSteps?: number;
  /** Metrics readback depth (default the step's). */
  readbackDepth?: number;
  /** The adapter to plan for: a profile, or a context whose profile is taken. Default: no limits, no features. */
  device?: DeviceProfile | GpuContext;
  /** The optimizer settings: they change dispatches (no weight decay merges AdamW's ranges), so parameter buffers. Default: decay 0.1, clip 1. */
  optimizer?: Pick<TrainStepOptions, 'adamw' | 'gradClip'>;
  /** Limits that replace the device's (the fit check's). */
  limits?: Readonly<Record<string, number>>;
}

/** Labels TrainStep gives its flat buffers. */
const FLAT = { params: 'params', grads: 'grads', adam: ['adam.m', 'adam.v'] };

function toProfile(device: DeviceProfile | GpuContext | undefined): DeviceProfile {
  if (!device) return unboundedProfile();
  return 'device' in device ? profileOf(device) : device;
}

/** The bytes the training step allocates for `batch`, by planning it on a dry-run context. */
export function estimateMemory(layout: ParamLayout, batch: Seq2SeqShape, options: PlanOptions = {}): MemoryEstimate {
  const base = toProfile(options.device);
  const ctx = dryRunContext({ ...base, limits: { ...base.limits, ...options.limits } });
  // A tuned matmul choice changes dispatch counts (and their parameter buffers): plan with the same.
  if (options.device && 'device' in options.device) setMatmulChoice(ctx, getMatmulChoice(options.device));
  const step = new TrainStep(ctx, layout, {
    batch,
    microSteps: options.microSteps,
    readbackDepth: options.readbackDepth,
    ...(options.optimizer ?? { adamw: { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 }, gradClip: 1 }),
  });
  step.destroy();
  const created = createdBuffers(ctx);
  const sum = (labels: string[]) => created.filter((b) => labels.includes(b.label)).reduce((s, b) => s + b.size, 0);
  const paramBytes = sum([FLAT.params]);
  const gradBytes = sum([FLAT.grads]);
  const adamBytes = sum(FLAT.adam);
  const totalBytes = created.reduce((s, b) => s + b.size, 0);
  const pool = poolTotals(ctx);
  const largest = created.reduce((a, b) => (b.size > a.size ? b : a));
  const largestTensorName = largest.label === FLAT.params ? 'the flat parameter buffer (grads and AdamW moments are its size too)' : largest.label;
  return {
    params: layout.count,
    paramBytes,
    gradBytes,
    adamBytes,
    activationBytes: totalBytes - paramBytes - gradBytes - adamBytes,
    pooledActivationBytes: pool.pooledBytes,
    unpooledActivationBytes: pool.unpooledBytes,
    scratchBytes: totalBytes - paramBytes - gradBytes - adamBytes - pool.pooledBytes,
    totalBytes,
    buffers: created.length,
    largestTensorBytes: largest.size,
    largestTensorName,
  };
}

/**
 * Throws, with the estimate and the limit, if the step cannot be allocated: a tensor larger than
 * one buffer may be (named by the planner), an op that cannot split a binding (named by the op,
 * and by the parameter slab past the binding limit when there is one: most ops bind a weight
 * whole, though the token table and the matmuls read one past it in ranges), or a total above
 * the memory budget.
 */
export function assertFits(layout: ParamLayout, batch: Seq2SeqShape, limits: DeviceLimits, options: PlanOptions = {}): MemoryEstimate {
  const cfg = layout.config;
  const what = `${cfg.kind} ${cfg.nLayer}x${cfg.nEmbd} (${layout.count.toLocaleString('en')} params), batch ${batch.batchSize}x${batch.seqLen}`;
  if (batch.seqLen > cfg.blockSize || (batch.targetLen ?? 0) > cfg.blockSize) {
    throw new Error(`${what}: sequence length ${Math.max(batch.seqLen, batch.targetLen ?? 0)} exceeds blockSize ${cfg.blockSize}`);
  }
  const slabCheck = () => {
    const bigSlab = layout.slabs.reduce((a, b) => (b.numel > a.numel ? b : a));
    if (bigSlab.numel * 4 > limits.maxStorageBufferBindingSize) {
      throw new Error(
        `${what} will not fit: parameter ${bigSlab.key} [${bigSlab.shape}] needs ${formatBytes(bigSlab.numel * 4)}, ` +
          `above this adapter's maxStorageBufferBindingSize of ${formatBytes(limits.maxStorageBufferBindingSize)}.`,
      );
    }
  };
  const flatCheck = () => {
    if (layout.totalFloats * 4 > limits.maxBufferSize) {
      throw new Error(
        `${what} will not fit: the flat parameter buffer needs ${formatBytes(layout.totalFloats * 4)}, ` +
          `above this adapter's maxBufferSize of ${formatBytes(limits.maxBufferSize)}.`,
      );
    }
  };
  let est: MemoryEstimate;
  try {
    est = estimateMemory(layout, batch, { ...options, limits: { maxBufferSize: limits.maxBufferSize, maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize } });
  } catch (error) {
    // A model the graphs refuse (a config error) is not a question of fit: it goes as it is.
    if (!(error instanceof AdapterLimitError)) throw error;
    // Most fundamental first: a tensor no buffer can hold; then a weight no binding can hold
    // (an op would refuse it too, in less plain words); then whatever the recording refused.
    if (!(error instanceof BufferSizeError)) {
      flatCheck();
      slabCheck();
    }
    throw new Error(`${what} will not fit: ${error instanceof Error ? error.message : String(error)}. Use a smaller batch or model.`, { cause: error });
  }
  flatCheck();
  if (limits.memoryBudgetBytes !== undefined && est.totalBytes > limits.memoryBudgetBytes) {
    throw new Error(
      `${what} will not fit: needs about ${formatBytes(est.totalBytes)} (parameters ${formatBytes(est.paramBytes)}, ` +
        `gradients ${formatBytes(est.gradBytes)}, AdamW ${formatBytes(est.adamBytes)}, activations ` +
        `${formatBytes(est.pooledActivationBytes)}, scratch ${formatBytes(est.scratchBytes)}), above the memory budget of ${formatBytes(limits.memoryBudgetBytes)}.`,
    );
  }
  return est;
}
