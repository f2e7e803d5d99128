// The engine checks that tests/e2e/engine-in-chromium.spec.ts runs in Chromium's WebGPU and, for
// the training run, also under Node on Dawn (node-train.ts): the same functions over the same
// engine code, so any difference is the GPU entry's. Each returns plain numbers for the test to
// assert on (results cross page.evaluate as JSON). No Node modules here: this is bundled for the page.
import type { GpuContext } from '../../../src/engine/gpu/device.ts';
import { Recorder } from '../../../src/engine/gpu/kernel.ts';
import { Tensor } from '../../../src/engine/gpu/tensor.ts';
import { AttentionInspector } from '../../../src/engine/inspect/inspector.ts';
import { BertGraph } from '../../../src/engine/model/bert.ts';
import { decoderConfig } from '../../../src/engine/model/config.ts';
import { GptGraph } from '../../../src/engine/model/gpt.ts';
import { allParts, buildParamLayout } from '../../../src/engine/model/params.ts';
import { TrainStep, type MicroBatch } from '../../../src/engine/train/step.ts';
import { initParams } from '../../../src/engine/train/init.ts';
import { deserializeModel, deserializeOptimizer, serializeModel, serializeOptimizer } from '../../../src/engine/train/weights-io.ts';
import { type Golden, relativeError } from '../../unit/model/golden-data.ts';

export interface TensorError {
  name: string;
  maxDiff: number;
  rel: number;
}

export interface GoldenCheck {
  name: string;
  outputs: TensorError[];
  loss: number;
  goldenLoss: number;
  /** Every parameter gradient, in layout order. */
  grads: TensorError[];
}

/** One forward + backward of a golden (GPT or BERT) on `ctx`, compared tensor by tensor with PyTorch's. */
export async function checkGolden(ctx: GpuContext, g: Golden): Promise<GoldenCheck> {
  const params = Tensor.from(ctx, g.flatParams, [g.layout.totalFloats]);
  const grads = Tensor.empty(ctx, [g.layout.totalFloats]);
  const B = g.batchSize;
  const T = g.cfg.blockSize;
  const rec = new Recorder(ctx);
  let graph: GptGraph | BertGraph;
  let outputs: [string, Tensor][];
  let loss: () => Promise<number>;
  if (g.cfg.kind === 'decoder') {
    const gpt = new GptGraph(ctx, g.layout, params, grads, { batchSize: B, seqLen: T });
    gpt.idx.write(g.input('idx'));
    gpt.targets.write(g.input('targets'));
    graph = gpt;
    outputs = [['logits', gpt.logits]];
    loss = async () => (await gpt.lossStats.read())[0];
  } else if (g.cfg.kind === 'encoder') {
    const bert = new BertGraph(ctx, g.layout, params, grads, { batchSize: B, seqLen: T });
    const mask = g.input('attention_mask');
    bert.ids.write(g.input('input_ids'));
    bert.types.write(g.input('token_type_ids'));
    bert.kvLen.write(Uint32Array.from({ length: B }, (_, b) => mask.subarray(b * T, (b + 1) * T).reduce((s, x) => s + x, 0)));
    bert.mlmLabels.write(g.input('mlm_labels'));
    bert.nspLabels.write(g.input('nsp_labels'));
    graph = bert;
    outputs = [['logits', bert.logits], ['nsp_logits', bert.nspLogits]];
    loss = async () => (await bert.mlmStats.read())[0] + (await bert.nspStats.read())[0];
  } else {
    throw new Error(`checkGolden: ${g.name} is a ${g.cfg.kind} model (GPT and BERT only)`);
  }
  try {
    graph.forward(rec);
    graph.backward(rec);
    await rec.run();
    const outputErrors: TensorError[] = [];
    for (const [name, t] of outputs) outputErrors.push({ name, ...relativeError(await t.read(), g.tensors.get(`output.${name}`)!.data) });
    const flat = await grads.read();
    const gradErrors = allParts(g.layout).map((part) => ({
      name: part.name,
      ...relativeError(flat.subarray(part.offset, part.offset + part.numel), g.tensors.get(`grad.${part.name}`)!.data),
    }));
    return { name: g.name, outputs: outputErrors, loss: await loss(), goldenLoss: g.loss, grads: gradErrors };
  } finally {
    rec.destroy();
    graph.destroy();
    params.destroy();
    grads.destroy();
  }
}

/** A GPT small enough for SwiftShader: 2 layers, width 32, 16 positions, 64 tokens. */
export const TINY_GPT = decoderConfig({ vocabSize: 64, nLayer: 2, nHead: 2, nEmbd: 32, ffWidth: 128, blockSize: 16 });
export const TINY_BATCH = 4;
const SEED = 1234;

/** Batch `i` of a fixed token stream (a multiplicative walk over the vocabulary): next-token pairs. */
export function tinyBatch(i: number): MicroBatch {
  const T = TINY_GPT.blockSize;
  const n = TINY_BATCH * T;
  const token = (k: number) => (k * 7 + ((k * k) >> 3) + i * 13) % TINY_GPT.vocabSize;
  return { idx: Uint32Array.from({ length: n }, (_, k) => token(k)), targets: Uint32Array.from({ length: n }, (_, k) => token(k + 1)) };
}

export interface TinyTraining {
  losses: number[];
  gradNorms: number[];
  /** The state after the run, in the engine's checkpoint format (model + optimizer safetensors). */
  model: Uint8Array;
  optimizer: Uint8Array;
}

function tinyStep(ctx: GpuContext): TrainStep {
  return new TrainStep(ctx, buildParamLayout(TINY_GPT), {
    batch: { batchSize: TINY_BATCH, seqLen: TINY_GPT.blockSize },
    adamw: { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 },
    gradClip: 1,
  });
}

/** `steps` AdamW steps of the tiny GPT from seed 1234 at lr 1e-2, all on batch 0 (so the loss falls); checkpointed at the end. */
export async function trainTiny(ctx: GpuContext, steps: number): Promise<TinyTraining> {
  const layout = buildParamLayout(TINY_GPT);
  const step = tinyStep(ctx);
  try {
    step.setParams(initParams(layout, SEED));
    for (let i = 0; i < steps; i++) await step.run([tinyBatch(0)], 1e-2);
    const metrics = await step.flush();
    const state = await step.readState();
    return {
      losses: metrics.map((m) => m.loss),
      gradNorms: metrics.map((m) => m.gradNorm),
      model: serializeModel(layout, state.params),
      optimizer: serializeOptimizer(layout, state.m, state.v, state.step),
    };
  } finally {
    step.destroy();
  }
}

/** Logits [B, T, vocab] of the tiny GPT with these parameters on batch `i`. */
async function tinyLogits(ctx: GpuContext, flat: Float32Array, i: number): Promise<Float32Array> {
  const layout = buildParamLayout(TINY_GPT);
  const params = Tensor.from(ctx, flat, [layout.totalFloats]);
  // Forward only: the parameters stand in for the gradient buffer the graph wants (as the inspector does).
  const graph = new GptGraph(ctx, layout, params, params, { batchSize: TINY_BATCH, seqLen: TINY_GPT.blockSize });
  const rec = new Recorder(ctx);
  try {
    const batch = tinyBatch(i);
    graph.idx.write(batch.idx);
    graph.targets.write(batch.targets);
    graph.forward(rec, false);
    await rec.run();
    return await graph.logits.read();
  } finally {
    rec.destroy();
    graph.destroy();
    params.destroy();
  }
}

export interface CheckpointCheck {
  modelBytes: number;
  optimizerBytes: number;
  /** Largest |difference| of the logits of the trained and the reloaded model (0 = identical). */
  logitsMaxDiff: number;
  logitsCount: number;
  /** The loss of one more step from the trained state and from the reloaded one. */
  nextLoss: number;
  nextLossReloaded: number;
}

/**
 * Trains, writes the checkpoint with the engine's safetensors writer (in memory: a page has no
 * files), reads it back into a fresh model and optimizer, and compares logits and the next step.
 */
export async function checkpointRoundTrip(ctx: GpuContext, steps: number): Promise<CheckpointCheck> {
  const layout = buildParamLayout(TINY_GPT);
  const trained = await trainTiny(ctx, steps);
  const params = deserializeModel(layout, trained.model).params;
  const optimizer = deserializeOptimizer(layout, trained.optimizer);
  const reference = await tinyLogits(ctx, params, steps);
  const reloaded = await tinyLogits(ctx, deserializeModel(layout, trained.model).params, steps);
  let logitsMaxDiff = 0;
  for (let k = 0; k < reference.length; k++) logitsMaxDiff = Math.max(logitsMaxDiff, Math.abs(reference[k] - reloaded[k]));
  // The optimizer state matters for the step after a resume: the moments must come back too.
  const continued = await trainTiny(ctx, steps + 1);
  const resumed = tinyStep(ctx);
  try {
    resumed.setParams(params);
    resumed.setOptimizerState(optimizer.m, optimizer.v, optimizer.step);
    await resumed.run([tinyBatch(0)], 1e-2);
    const [after] = await resumed.flush();
    return {
      modelBytes: trained.model.byteLength,
      optimizerBytes: trained.optimizer.byteLength,
      logitsMaxDiff,
      logitsCount: reference.length,
      nextLoss: continued.losses[steps],
      nextLossReloaded: after.loss,
    };
  } finally {
    resumed.destroy();
  }
}

export interface AttentionCheck {
  layers: number;
  heads: number;
  tokens: number;
  /** Largest |row sum - 1| over every layer, head and query row. */
  maxRowSumError: number;
  /** Largest probability above the diagonal (a causal model must give 0). */
  maxAboveDiagonal: number;
}

/** The inspector's attention maps of the tiny GPT (seeded weights) for one sentence, read back. */
export async function attentionCheck(ctx: GpuContext): Promise<AttentionCheck> {
  const inspector = new AttentionInspector(ctx, TINY_GPT);
  try {
    inspector.setParams(initParams(inspector.layout, SEED));
    const ids = [3, 14, 15, 9, 26, 5, 35, 8, 9, 7];
    const [sentence] = await inspector.inspect([ids]);
    const t = ids.length;
    const H = TINY_GPT.nHead;
    let maxRowSumError = 0;
    let maxAboveDiagonal = 0;
    for (const probs of sentence.layers) {
      if (probs.length !== H * t * t) throw new Error(`attention map of ${probs.length} values, expected ${H}x${t}x${t}`);
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < t; i++) {
          let sum = 0;
          for (let j = 0; j < t; j++) {
            const p = probs[h * t * t + i * t + j];
            sum += p;
            if (j > i) maxAboveDiagonal = Math.max(maxAboveDiagonal, p);
          }
          maxRowSumError = Math.max(maxRowSumError, Math.abs(sum - 1));
        }
      }
    }
    return { layers: sentence.layers.length, heads: H, tokens: t, maxRowSumError, maxAboveDiagonal };
  } finally {
    inspector.destroy();
  }
}
