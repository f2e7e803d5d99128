// How much GPU memory a (model, batch shape) needs, and a refusal up front when it will not fit
// (rather than a device-lost error halfway through the first step).
import type { ModelConfig } from './config';
import type { ParamLayout } from './params';

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
  /** Forward activations kept for backward, plus backward's scratch. */
  activationBytes: number;
  totalBytes: number;
  /** The largest single tensor the step allocates, and what it is. */
  largestTensorBytes: number;
  largestTensorName: string;
}

export interface DeviceLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  /** What the caller allows the engine to use; WebGPU does not report device memory. */
  memoryBudgetBytes?: number;
}

const MiB = 1024 * 1024;

export function formatBytes(n: number): string {
  if (n >= 1024 * MiB) return `${(n / 1024 / MiB).toFixed(2)} GiB`;
  if (n >= MiB) return `${(n / MiB).toFixed(1)} MiB`;
  return `${(n / 1024).toFixed(1)} KiB`;
}

/** Floats of activations one Transformer block keeps for backward (llm.c's ActivationTensors). */
function blockActivations(cfg: ModelConfig, B: number, T: number, cross: boolean): number {
  const { nEmbd: C, ffWidth: F, nHead: H } = cfg;
  const BT = B * T;
  // ln1, qkv (3), attention output, attn proj, residual, ln2, fc proj, residual; ln stats
  let floats = 10 * BT * C + 4 * BT;
  floats += 2 * BT * F; // MLP pre- and post-GELU
  floats += 2 * B * H * T * T; // attention scores and probabilities
  if (cross) floats += 6 * BT * C + 2 * BT + 2 * B * H * T * T;
  if (cfg.dropout > 0) floats += 3 * BT * C + B * H * T * T; // dropout masks are regenerated, outputs kept
  return floats;
}

export function estimateMemory(layout: ParamLayout, batch: BatchShape): MemoryEstimate {
  const cfg = layout.config;
  const { batchSize: B, seqLen: T } = batch;
  const BT = B * T;
  const paramBytes = layout.totalFloats * 4;
  const stacks = cfg.kind === 'encoder-decoder' ? 2 : 1;
  let acts = 0;
  for (let s = 0; s < stacks; s++) {
    acts += 2 * BT * cfg.nEmbd + 2 * BT; // embeddings sum, embedding layernorm or final layernorm
    for (let l = 0; l < cfg.nLayer; l++) acts += blockActivations(cfg, B, T, s === 1);
  }
  const logits = BT * cfg.vocabSize;
  acts += 2 * logits + 2 * BT * cfg.nEmbd; // logits and their gradient, head transform
  // Backward reuses one block's worth of activation gradients (llm.c's grads_acts).
  const scratch = blockActivations(cfg, B, T, stacks === 2) + 2 * BT * cfg.nEmbd;
  const activationBytes = (acts + scratch) * 4;
  const candidates: [string, number][] = [
    ['the flat parameter buffer', paramBytes],
    [`logits [${B}, ${T}, ${cfg.vocabSize}]`, logits * 4],
    [`attention probabilities [${B}, ${cfg.nHead}, ${T}, ${T}]`, B * cfg.nHead * T * T * 4],
    [`MLP hidden [${B}, ${T}, ${cfg.ffWidth}]`, BT * cfg.ffWidth * 4],
  ];
  const [largestTensorName, largestTensorBytes] = candidates.reduce((a, b) => (b[1] > a[1] ? b : a));
  const totalBytes = 4 * paramBytes + activationBytes;
  return {
    params: layout.count,
    paramBytes,
    gradBytes: paramBytes,
    adamBytes: 2 * paramBytes,
    activationBytes,
    totalBytes,
    largestTensorBytes,
    largestTensorName,
  };
}

/**
 * Throws, with the estimate and the limit, if the step cannot be allocated: a tensor larger than
 * one buffer may be, a parameter slab larger than one binding may be (kernels split activations
 * past the binding limit, but a weight is bound whole), or a total above the memory budget.
 */
export function assertFits(layout: ParamLayout, batch: BatchShape, limits: DeviceLimits): MemoryEstimate {
  const est = estimateMemory(layout, batch);
  const cfg = layout.config;
  const what = `${cfg.kind} ${cfg.nLayer}x${cfg.nEmbd} (${est.params.toLocaleString('en')} params), batch ${batch.batchSize}x${batch.seqLen}`;
  if (batch.seqLen > cfg.blockSize) {
    throw new Error(`${what}: sequence length ${batch.seqLen} exceeds blockSize ${cfg.blockSize}`);
  }
  if (est.largestTensorBytes > limits.maxBufferSize) {
    throw new Error(
      `${what} will not fit: ${est.largestTensorName} needs ${formatBytes(est.largestTensorBytes)}, ` +
        `above this adapter's maxBufferSize of ${formatBytes(limits.maxBufferSize)}. Use a smaller batch or model.`,
    );
  }
  const bigSlab = layout.slabs.reduce((a, b) => (b.numel > a.numel ? b : a));
  if (bigSlab.numel * 4 > limits.maxStorageBufferBindingSize) {
    throw new Error(
      `${what} will not fit: parameter ${bigSlab.key} [${bigSlab.shape}] needs ${formatBytes(bigSlab.numel * 4)}, ` +
        `above this adapter's maxStorageBufferBindingSize of ${formatBytes(limits.maxStorageBufferBindingSize)}.`,
    );
  }
  if (limits.memoryBudgetBytes !== undefined && est.totalBytes > limits.memoryBudgetBytes) {
    throw new Error(
      `${what} will not fit: needs about ${formatBytes(est.totalBytes)} (parameters ${formatBytes(est.paramBytes)}, ` +
        `gradients ${formatBytes(est.gradBytes)}, AdamW ${formatBytes(est.adamBytes)}, activations ` +
        `${formatBytes(est.activationBytes)}), above the memory budget of ${formatBytes(limits.memoryBudgetBytes)}.`,
    );
  }
  return est;
}
