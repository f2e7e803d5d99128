// One optimizer step as a recorded trace, replayed (tinygrad's TinyJit, llm.c's training loop):
// for a (model, batch shape) the forward + backward of one micro-batch, the gradient norm and
// AdamW are recorded ONCE; every step then uploads its batches, writes the per-step uniforms
// (lr, step, seed) and submits ONE command encoder:
//   [zero grads] ([copy micro-batch k inputs] [forward + backward])×K [grad norm + AdamW] [copy metrics]
// Gradients accumulate over the K micro-batches (the loss gradient is scaled by 1/K). Nothing is
// read back inside a step: loss and grad norm come out of a staging ring a step or two late.
//
// Memory: the graph's activations are pooled by lifetime (gpu/planner.ts) over the four recordings
// made here, all of them recorded before any is finished. Inputs copied in and loss statistics
// copied out around the micro-batch recording are pinned by name (the planner would also find
// them: read before written, written last). The estimate is this constructor run on a dry-run
// context (model/memory.ts), so it is exactly what is allocated here.
import type { GpuContext } from '../gpu/device';
import { BufferUsage } from '../gpu/flags';
import { type Dispatch, Recorder } from '../gpu/kernel';
import { isDryRun } from '../gpu/dry-run';
import { Tensor } from '../gpu/tensor';
import { fill } from '../ops/fill';
import { StepState } from '../ops/step-state';
import { adamwStep, type AdamWHyper } from '../optim/adamw';
import { gradNormForward, gradNormScratchWords } from '../optim/gradnorm';
import { BartGraph, type Seq2SeqShape } from '../model/bart';
import { BertGraph } from '../model/bert';
import { GptGraph } from '../model/gpt';
import type { TrainGraph } from '../model/graph';
import { assertFits, type DeviceLimits, type MemoryEstimate } from '../model/memory';
import { pinBuffer } from '../gpu/planner';
import { type ParamLayout, type ParamSlab, SLAB_ALIGN_FLOATS, trainableRanges } from '../model/params';
import { ReadbackRing } from './readback';

export interface TrainStepOptions {
  /** Sequences per micro-batch and their length (encoder-decoder: source length, plus targetLen). */
  batch: Seq2SeqShape;
  /** Micro-batches per optimizer step (gradient accumulation), default 1. */
  microSteps?: number;
  adamw: AdamWHyper & { weightDecay: number };
  /** Clip the global gradient norm to this; <= 0 disables clipping. */
  gradClip: number;
  /** Memory budget for the fit check (WebGPU does not report device memory). */
  memoryBudgetBytes?: number;
  /** Steps of metrics in flight before a step waits for the oldest (default 3). */
  readbackDepth?: number;
  /** Tensors read back after evaluate() (e.g. a classifier's logits): kept out of the memory pool's reuse. */
  readouts?: (graph: TrainGraph) => Tensor[];
  /** Each slab's multiple of the step's lr (layer-wise lr decay, finetune/layer-decay.ts); 1 for all when absent. */
  lrScale?: (slab: ParamSlab) => number;
}

/** One micro-batch: a u32 array per graph input, each of the recorded length. */
export type MicroBatch = Readonly<Record<string, Uint32Array>>;

export interface StepMetrics {
  /** 1-based optimizer step. */
  step: number;
  /** Mean over micro-batches of the summed loss terms. */
  loss: number;
  /** Per loss term, mean over micro-batches (GPT: [lm]; BERT: [mlm, nsp]). */
  terms: number[];
  /** Correct argmax predictions over counted targets, per term. */
  accuracy: number[];
  /** Global gradient norm before clipping. */
  gradNorm: number;
  lr: number;
}

/** Raised when a replay is asked for a batch the trace was not recorded for (TinyJit's JitError). */
export class TraceShapeError extends Error {
  override name = 'TraceShapeError';
}

export function buildGraph(ctx: GpuContext, layout: ParamLayout, params: Tensor, grads: Tensor, batch: Seq2SeqShape, gradScale: number, state?: StepState): TrainGraph {
  if (layout.config.kind === 'decoder') return new GptGraph(ctx, layout, params, grads, batch, gradScale, state);
  if (layout.config.kind === 'encoder') return new BertGraph(ctx, layout, params, grads, batch, gradScale, state);
  return new BartGraph(ctx, layout, params, grads, batch, gradScale, state);
}

/** Stands in on a dry run, whose real estimate estimateMemory adds up from the dry-run context once it is built. */
const DRY_RUN_ESTIMATE: MemoryEstimate = Object.freeze({
  params: 0, paramBytes: 0, gradBytes: 0, adamBytes: 0, activationBytes: 0, pooledActivationBytes: 0, unpooledActivationBytes: 0,
  scratchBytes: 0, totalBytes: 0, buffers: 0, largestTensorBytes: 0, largestTensorName: '(dry run)',
});

export class TrainStep {
  readonly params: Tensor;
  readonly grads: Tensor;
  readonly m: Tensor;
  readonly v: Tensor;
  readonly graph: TrainGraph;
  readonly estimate: MemoryEstimate;
  readonly microSteps: number;
  /** Metrics collected so far, in step order (appended a step or two late). */
  readonly metrics: StepMetrics[] = [];
  private readonly state: StepState;
  private readonly gradNorm: Tensor;
  private readonly zeroRec: Recorder;
  private readonly microRec: Recorder;
  private readonly optRec: Recorder;
  private readonly evalRec: Recorder;
  private readonly inputSlots: GPUBuffer;
  private readonly inputLayout: { name: string; tensor: Tensor; offset: number; length: number }[];
  /** The real buffers of the inputs and loss terms, for the copies around each micro-batch. */
  private readonly inputBuffers: GPUBuffer[];
  private readonly termBuffers: GPUBuffer[];
  private readonly slotBytes: number;
  private readonly stateOffset: number;
  private readonly stateWords = new Uint32Array(4);
  private readonly stateFloats = new Float32Array(this.stateWords.buffer);
  private readonly ring: ReadbackRing;
  private readonly lrs = new Map<number, number>();
  private stepCount = 0;

  constructor(
    readonly ctx: GpuContext,
    readonly layout: ParamLayout,
    readonly options: TrainStepOptions,
  ) {
    const limits: DeviceLimits = {
      maxBufferSize: ctx.limits.maxBufferSize,
      maxStorageBufferBindingSize: ctx.limits.maxStorageBufferBindingSize,
      memoryBudgetBytes: options.memoryBudgetBytes,
    };
    this.microSteps = options.microSteps ?? 1;
    if (!Number.isInteger(this.microSteps) || this.microSteps < 1) throw new Error(`TrainStep: microSteps must be a positive integer, got ${this.microSteps}`);
    // On a dry run this constructor is the estimate's own planning: nothing to check against.
    const dry = isDryRun(ctx);
    this.estimate = dry ? DRY_RUN_ESTIMATE : assertFits(layout, options.batch, limits, { microSteps: this.microSteps, readbackDepth: options.readbackDepth, device: ctx, optimizer: options });
    const n = layout.totalFloats;
    this.params = Tensor.empty(ctx, [n], 'f32', 'params');
    this.grads = Tensor.empty(ctx, [n], 'f32', 'grads');
    this.m = Tensor.empty(ctx, [n], 'f32', 'adam.m');
    this.v = Tensor.empty(ctx, [n], 'f32', 'adam.v');
    this.gradNorm = Tensor.empty(ctx, [2], 'f32', 'gradNorm');
    this.state = new StepState(ctx);
    this.graph = buildGraph(ctx, layout, this.params, this.grads, options.batch, 1 / this.microSteps, this.state);

    // Inputs: one staging slot per micro-batch, written by queue.writeBuffer, copied in-encoder.
    let offset = 0;
    this.inputLayout = Object.entries(this.graph.inputs).map(([name, tensor]) => {
      const entry = { name, tensor, offset, length: tensor.numel };
      offset += Math.ceil((tensor.numel * 4) / 16) * 16;
      return entry;
    });
    // Each micro-batch's StepState words (step, seed, lr) ride along and are copied into the state
    // buffer before its pass, so micro-batches draw different dropout masks within one encoder.
    this.stateOffset = offset;
    offset += 16;
    this.slotBytes = offset;
    this.inputSlots = ctx.createBuffer({ label: 'train.inputs', size: Math.max(16, offset * this.microSteps), usage: BufferUsage.COPY_SRC | BufferUsage.COPY_DST });

    this.zeroRec = new Recorder(ctx, 'train.zeroGrads');
    // Cleared in pieces a storage binding can hold (the flat buffer of a large model cannot be bound whole).
    const perBinding = Math.floor(ctx.limits.maxStorageBufferBindingSize / 4 / SLAB_ALIGN_FLOATS) * SLAB_ALIGN_FLOATS;
    for (let start = 0; start < n; start += perBinding) {
      fill(this.zeroRec, this.grads.view([Math.min(perBinding, n - start)], start * 4));
    }
    this.microRec = new Recorder(ctx, 'train.microStep');
    this.graph.forward(this.microRec);
    this.graph.backward(this.microRec);
    this.optRec = new Recorder(ctx, 'train.optimizer');
    const scratch = Tensor.empty(ctx, [gradNormScratchWords(n)], 'f32', 'gradNorm.partials');
    this.optRec.own(scratch.buffer);
    gradNormForward(this.optRec, this.gradNorm, this.grads, options.gradClip, scratch);
    const { weightDecay, ...hyper } = options.adamw;
    const ranges = trainableRanges(layout, weightDecay, options.lrScale); // frozen slabs: never updated, m and v stay zero
    adamwStep(this.optRec, this.params, this.m, this.v, this.grads, this.state, ranges, hyper, this.gradNorm);
    this.evalRec = new Recorder(ctx, 'train.evaluate');
    this.graph.forward(this.evalRec, false);
    for (const t of [...Object.values(this.graph.inputs), ...this.graph.lossTerms, ...(options.readouts?.(this.graph) ?? [])]) {
      if (t.planned) pinBuffer(t.planned);
    }
    // Buffers are planned, created and bound here, over all four recordings: a step allocates nothing.
    for (const r of [this.zeroRec, this.microRec, this.optRec, this.evalRec]) r.finish();
    this.inputBuffers = this.inputLayout.map((e) => e.tensor.gpuBuffer(`the copy into input '${e.name}'`));
    this.termBuffers = this.graph.lossTerms.map((t) => t.gpuBuffer('the loss statistics copy'));

    const terms = this.graph.lossTerms.length;
    this.ring = new ReadbackRing(ctx, (this.microSteps * terms * 4 + 2) * 4, options.readbackDepth ?? 3, 'train.metrics');
  }

  /** Every dispatch of one step with one micro-batch, in replay order (clear, forward + backward, optimizer): for profiling. */
  get dispatches(): readonly Dispatch[] {
    return [...this.zeroRec.dispatches, ...this.microRec.dispatches, ...this.optRec.dispatches];
  }

  /** Uploads flat parameters (layout order, e.g. from a checkpoint or an initializer). */
  setParams(flat: Float32Array): void {
    if (flat.length !== this.layout.totalFloats) throw new Error(`TrainStep.setParams: ${flat.length} floats, layout has ${this.layout.totalFloats}`);
    this.params.write(flat);
  }

  /** AdamW moments and the step counter, for resuming from a checkpoint. */
  setOptimizerState(m: Float32Array, v: Float32Array, step: number): void {
    if (m.length !== this.layout.totalFloats || v.length !== this.layout.totalFloats) throw new Error('TrainStep.setOptimizerState: moments do not match the layout');
    this.m.write(m);
    this.v.write(v);
    this.stepCount = step;
  }

  get step(): number {
    return this.stepCount;
  }

  /** Compute dispatches one optimizer step encodes. */
  get dispatchCount(): number {
    return this.zeroRec.dispatches.length + this.microSteps * this.microRec.dispatches.length + this.optRec.dispatches.length;
  }

  /** Parameters, AdamW moments and the step count, for a checkpoint (waits for submitted steps). */
  async readState(): Promise<{ params: Float32Array; m: Float32Array; v: Float32Array; step: number }> {
    await this.flush();
    return { params: await this.params.read(), m: await this.m.read(), v: await this.v.read(), step: this.stepCount };
  }

  private checkBatch(mb: MicroBatch, k: number): void {
    for (const e of this.inputLayout) {
      const data = mb[e.name];
      if (!data) throw new TraceShapeError(`TrainStep: micro-batch ${k} has no '${e.name}' (recorded inputs: ${this.inputLayout.map((x) => x.name).join(', ')})`);
      if (data.length !== e.length) {
        const { batchSize, seqLen } = this.options.batch;
        throw new TraceShapeError(
          `TrainStep: micro-batch ${k} input '${e.name}' has ${data.length} values; the trace was recorded for ` +
            `batch ${batchSize}x${seqLen} (${e.length} values). Build a new TrainStep for a new shape.`,
        );
      }
    }
  }

  /**
   * Runs one optimizer step over `batches` (exactly microSteps of them) at learning rate `lr`.
   * Returns after submitting (it waits only if the metrics ring is full of unfinished steps).
   * Dropout masks depend on (seed, step, site, element); micro-batch k of a step uses seed
   * `seed + k * 0x9e3779b9`, so accumulated micro-batches draw different masks.
   */
  async run(batches: readonly MicroBatch[], lr: number, seed = 0): Promise<void> {
    if (this.ctx.lostReason) throw new Error(this.ctx.lostReason);
    if (batches.length !== this.microSteps) {
      throw new TraceShapeError(`TrainStep: ${batches.length} micro-batches given, the trace was recorded for ${this.microSteps}`);
    }
    batches.forEach((mb, k) => this.checkBatch(mb, k));
    const staging = await this.ring.acquire((tag, values) => this.collect(tag, values));
    const queue = this.ctx.device.queue;
    batches.forEach((mb, k) => {
      for (const e of this.inputLayout) {
        const data = mb[e.name];
        queue.writeBuffer(this.inputSlots, k * this.slotBytes + e.offset, data.buffer, data.byteOffset, data.byteLength);
      }
    });
    const step = this.stepCount + 1;
    this.state.set({ step, seed, lr });
    for (let k = 0; k < this.microSteps; k++) {
      this.stateWords[0] = step;
      this.stateWords[1] = (seed + k * 0x9e3779b9) >>> 0;
      this.stateFloats[2] = lr;
      queue.writeBuffer(this.inputSlots, k * this.slotBytes + this.stateOffset, this.stateWords);
    }
    this.lrs.set(step, lr);
    const encoder = this.ctx.device.createCommandEncoder({ label: `train.step ${step}` });
    this.zeroRec.encode(encoder);
    const terms = this.graph.lossTerms;
    for (let k = 0; k < this.microSteps; k++) {
      this.inputLayout.forEach((e, j) => {
        encoder.copyBufferToBuffer(this.inputSlots, k * this.slotBytes + e.offset, this.inputBuffers[j], e.tensor.byteOffset, e.length * 4);
      });
      encoder.copyBufferToBuffer(this.inputSlots, k * this.slotBytes + this.stateOffset, this.state.buffer, 0, 16);
      this.microRec.encode(encoder);
      this.termBuffers.forEach((b, i) => encoder.copyBufferToBuffer(b, terms[i].byteOffset, staging, (k * terms.length + i) * 16, 16));
    }
    this.optRec.encode(encoder);
    encoder.copyBufferToBuffer(this.gradNorm.buffer, this.gradNorm.byteOffset, staging, this.microSteps * terms.length * 16, 8);
    queue.submit([encoder.finish()]);
    this.ring.commit(step);
    this.stepCount = step;
  }

  private collect(step: number, values: Float32Array): void {
    const T = this.graph.lossTerms.length;
    const K = this.microSteps;
    const terms = Array.from({ length: T }, (_, i) => {
      let s = 0;
      for (let k = 0; k < K; k++) s += values[(k * T + i) * 4];
      return s / K;
    });
    const accuracy = Array.from({ length: T }, (_, i) => {
      let correct = 0;
      let count = 0;
      for (let k = 0; k < K; k++) {
        count += values[(k * T + i) * 4 + 1];
        correct += values[(k * T + i) * 4 + 2];
      }
      return count > 0 ? correct / count : 0;
    });
    const lr = this.lrs.get(step) ?? NaN;
    this.lrs.delete(step);
    this.metrics.push({ step, loss: terms.reduce((a, b) => a + b, 0), terms, accuracy, gradNorm: values[K * T * 4], lr });
  }

  /** Waits for every submitted step and collects its metrics. */
  async flush(): Promise<StepMetrics[]> {
    await this.ring.drain((tag, values) => this.collect(tag, values));
    if (this.ctx.lostReason) throw new Error(this.ctx.lostReason);
    return this.metrics;
  }

  /** Loss of one batch without updating anything (validation). Reads back: not for inside a step. */
  async evaluate(batch: MicroBatch): Promise<number> {
    this.checkBatch(batch, 0);
    for (const e of this.inputLayout) e.tensor.write(batch[e.name]);
    await this.evalRec.run();
    let loss = 0;
    for (const t of this.graph.lossTerms) loss += (await t.read())[0];
    return loss;
  }

  destroy(): void {
    for (const r of [this.zeroRec, this.microRec, this.optRec, this.evalRec]) r.destroy();
    this.graph.destroy();
    this.ring.destroy();
    this.state.destroy();
    this.inputSlots.destroy();
    for (const t of [this.params, this.grads, this.m, this.v, this.gradNorm]) t.destroy();
  }
}
