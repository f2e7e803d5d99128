// The memory figure shown before training is what the training step allocates, byte for byte:
// estimateMemory plans the real step on a dry-run context; here the real step is built on the GPU
// and every createBuffer it makes is added up. Lifetime pooling must also make the activations
// smaller than one buffer per tensor.
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { BABY_SHAKESPEARE, encoderConfig, encoderDecoderConfig, type ModelConfig } from '../../../src/engine/model/config';
import { assertFits, estimateMemory } from '../../../src/engine/model/memory';
import { buildParamLayout, type ParamLayout } from '../../../src/engine/model/params';
import { DEFAULT_TRAIN_OPTIONS, modelConfigFor, paramLayoutFor } from '../../../src/engine/config/train-config';
import { layoutOf } from '../../../src/engine/host/model/shape';
import { TrainStep } from '../../../src/engine/train/step';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

// The layout an mlm+nsp run trains (MLM and NSP heads, pooler), with its embeddings frozen: what
// TrainingRun builds (paramLayoutFor), and what model.estimate builds for the same shape (layoutOf).
const bertNsp = { ...DEFAULT_TRAIN_OPTIONS, objective: 'mlm+nsp', nLayer: 2, nEmbd: 64, nHead: 4, blockSize: 32, dropout: 0.1, bias: true, frozen: ['bert.embeddings.'] };
const bertNspLayout = paramLayoutFor(bertNsp, modelConfigFor(bertNsp, 500));

const cases: [string, ModelConfig | ParamLayout, number, number][] = [
  ['BERT + NSP, embeddings frozen (the mlm+nsp run\'s layout)', bertNspLayout, 8, 32],
  ['baby shakespeare_char GPT', BABY_SHAKESPEARE, 12, 64],
  ['small GPT with dropout', { ...BABY_SHAKESPEARE, nLayer: 2, dropout: 0.2 }, 4, 32],
  ['small BERT with dropout', encoderConfig({ nLayer: 2, nEmbd: 64, nHead: 4, vocabSize: 500, blockSize: 32, dropout: 0.1 }), 8, 32],
  ['small BART', encoderDecoderConfig({ nLayer: 2, nEmbd: 64, nHead: 4, vocabSize: 300, blockSize: 32 }), 4, 32],
];

const adamw = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 };

for (const [name, cfg, B, T] of cases) {
  test(`${name}: the estimate is the bytes the training step creates`, async () => {
    // A fresh context: some buffers are made once per context (matmul's unused-binding dummy), and
    // a dry run, being a fresh context, counts them.
    const ctx = await GpuContext.open();
    const layout = 'slabs' in cfg ? cfg : buildParamLayout(cfg);
    const batch = { batchSize: B, seqLen: T };
    const est = estimateMemory(layout, batch, { device: ctx, microSteps: 2, optimizer: { adamw, gradClip: 1 } });
    let bytes = 0;
    let buffers = 0;
    const spy = vi.spyOn(ctx, 'createBuffer').mockImplementation((d) => {
      bytes += d.size;
      buffers++;
      return ctx.device.createBuffer(d);
    });
    let step: TrainStep;
    try {
      step = new TrainStep(ctx, layout, { batch, microSteps: 2, adamw, gradClip: 1 });
    } finally {
      spy.mockRestore();
    }
    const saved = 1 - est.pooledActivationBytes / est.unpooledActivationBytes;
    console.log(
      `${name}: created ${bytes} bytes in ${buffers} buffers; estimated ${est.totalBytes} (params ${est.paramBytes}, ` +
        `activations ${est.pooledActivationBytes} pooled vs ${est.unpooledActivationBytes} one buffer per tensor: ${(100 * saved).toFixed(1)}% saved, scratch ${est.scratchBytes})`,
    );
    expect(est.totalBytes).toBe(bytes);
    expect(est.buffers).toBe(buffers);
    expect(step.estimate).toEqual(est);
    expect(est.totalBytes).toBe(est.paramBytes + est.gradBytes + est.adamBytes + est.pooledActivationBytes + est.scratchBytes);
    expect(est.gradBytes).toBe(est.paramBytes);
    expect(est.adamBytes).toBe(2 * est.paramBytes);
    expect(est.pooledActivationBytes).toBeLessThan(est.unpooledActivationBytes);
    step.destroy();
    ctx.destroy();
  });
}

test('model.estimate plans the layout the run trains: its heads and frozen prefixes', () => {
  const shape = { objective: 'mlm+nsp', vocabSize: 500, nLayer: 2, nHead: 4, nEmbd: 64, blockSize: 32, ffWidth: 0, dropout: 0.1, bias: true, batchSize: 8, gradAccum: 1, frozen: ['bert.embeddings.'] };
  const planned = layoutOf(shape);
  expect(planned.heads).toEqual([{ kind: 'mlm' }, { kind: 'nsp' }]);
  expect(planned.slabs.map((x) => [x.key, x.offset])).toEqual(bertNspLayout.slabs.map((x) => [x.key, x.offset]));
  expect([...planned.frozen].sort()).toEqual([...bertNspLayout.frozen].sort());
  expect(planned.frozen.size).toBeGreaterThan(0);
  const batch = { batchSize: 8, seqLen: 32 };
  expect(estimateMemory(planned, batch)).toEqual(estimateMemory(bertNspLayout, batch));
  expect(estimateMemory(layoutOf({ ...shape, frozen: [] }), batch).totalBytes).not.toBe(estimateMemory(bertNspLayout, batch).totalBytes);
});

test('the estimate needs no GPU and grows with the batch as the activations do', () => {
  const layout = buildParamLayout(BABY_SHAKESPEARE);
  const small = estimateMemory(layout, { batchSize: 12, seqLen: 64 });
  const big = estimateMemory(layout, { batchSize: 24, seqLen: 64 });
  expect(big.paramBytes).toBe(small.paramBytes);
  expect(big.pooledActivationBytes).toBeGreaterThan(1.9 * small.pooledActivationBytes);
  expect(small.largestTensorName).toMatch(/logits|params|flat parameter/);
});

test('a tensor larger than one buffer may be is refused by name, size and limit before anything is allocated', () => {
  // logits [12*64, 50304] f32 need 147.4 MiB; the flat parameters (tied 50304x64 embedding) 12.5 MiB.
  const layout = buildParamLayout({ ...BABY_SHAKESPEARE, nLayer: 1, nEmbd: 64, vocabSize: 50304 });
  const before = ctx.buffersCreated;
  expect(() => assertFits(layout, { batchSize: 12, seqLen: 64 }, { maxBufferSize: 100 * 2 ** 20, maxStorageBufferBindingSize: 2 ** 30 }, { device: ctx })).toThrow(
    /'gpt\.activations\[12x64\]\.lm\.logits' \[768,50304\] needs 147\.4 MiB, above this adapter's maxBufferSize of 100\.0 MiB/,
  );
  expect(ctx.buffersCreated).toBe(before);
});

test('a binding no kernel splits is refused naming the op, the arena tensor, its size and the limit', () => {
  // BERT's attention probabilities [12, 4, 32, 32] f32 (196,608 bytes) are bound whole by the softmax.
  const layout = buildParamLayout(encoderConfig({ nLayer: 2, nEmbd: 64, nHead: 4, vocabSize: 500, blockSize: 32 }));
  expect(() => assertFits(layout, { batchSize: 12, seqLen: 32 }, { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 150_000 })).toThrow(
    /encoder 2x64 .* will not fit: attention\.softmax\.forward: binding \d 'bert\.activations\[12x32\]\.layer\d\.probs' \[12,4,32,32\] is 196608 bytes, over this adapter's maxStorageBufferBindingSize 150000/,
  );
});

test('a model the graphs refuse is reported as it is, not as a question of fit', () => {
  const layout = buildParamLayout({ ...BABY_SHAKESPEARE, norm: 'post' });
  const fit = () => assertFits(layout, { batchSize: 2, seqLen: 16 }, { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30 });
  expect(fit).toThrow(/GptGraph: only pre-LN decoders/);
  expect(fit).not.toThrow(/will not fit/);
});
