// The training step's memory plan: every buffer exists once the step is built (the first step
// allocates nothing either), activation gradients reuse the buffers of activations that died,
// inputs and loss statistics keep their own, and the micro-batch and evaluation recordings, which
// share the pooled activations, still compute the same loss.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { withBindingLimit } from '../binding-limit';
import type { GptGraph } from '../../../src/engine/model/gpt';
import { TrainStep } from '../../../src/engine/train/step';
import { BABY_SHAKESPEARE } from '../../../src/engine/model/config';
import { buildParamLayout } from '../../../src/engine/model/params';
import { initParams } from '../../../src/engine/train/init';
import { loadGolden } from '../model/goldens';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

test('GPT step: planned at construction, gradients pooled with dead activations, evaluation and training agree', async () => {
  const g = loadGolden('gpt');
  const step = new TrainStep(ctx, g.layout, {
    batch: { batchSize: g.batchSize, seqLen: g.cfg.blockSize },
    adamw: { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 },
    gradClip: 1,
  });
  step.setParams(g.flatParams);
  const batch = { idx: g.input('idx'), targets: g.input('targets') };
  const graph = step.graph as GptGraph;

  const buffers = graph.acts.group.pooledBuffers();
  const arenaOf = (label: string) => label.slice(0, label.indexOf('['));
  const mixed = buffers.filter((p) => new Set(p.members.map((m) => arenaOf(m.label))).size > 1);
  expect(mixed.length, 'buffers shared by an activation and an activation gradient').toBeGreaterThan(0);
  for (const t of [graph.idx, graph.targets, graph.lossStats]) expect(t.planned!.pooled!.members).toEqual([t.planned]);
  await expect(graph.acts.get('h0.attnOut').read()).rejects.toThrow(/'gpt\.activations\[\d+x\d+\]\.h0\.attnOut' .*shares its GPU buffer by lifetime/);

  const evaluated = await step.evaluate(batch);
  // lr 0 and no decay: the parameters stay, so every step's loss is the evaluation's.
  const before = ctx.buffersCreated;
  for (let i = 0; i < 3; i++) await step.run([batch], 0);
  const metrics = await step.flush();
  expect(ctx.buffersCreated - before, 'buffers created by the first three steps').toBe(0);
  expect(await step.evaluate(batch)).toBeCloseTo(evaluated, 6);
  expect(metrics.map((m) => m.step)).toEqual([1, 2, 3]);
  for (const m of metrics) expect(m.loss).toBeCloseTo(evaluated, 5);
  expect(evaluated).toBeCloseTo(g.training.losses[0], 4);
  step.destroy();
});

test('a token table past the binding limit trains: the same losses and weights as with the whole table bound', async () => {
  // 300 x 96 tokens (112.5 KiB) on a context reporting an 80 KiB limit, as GPT-2 small's 50257 x 768
  // (154 MB) on lavapipe's 128 MiB: the embedding, the tied head and AdamW work in ranges (and the
  // loss's 64-row ranges of logits still fit, as 64 x 50257 floats do in 128 MiB).
  const small = withBindingLimit(ctx, 81920);
  const layout = buildParamLayout({ ...BABY_SHAKESPEARE, nLayer: 1, nHead: 2, nEmbd: 96, ffWidth: 96, vocabSize: 300, blockSize: 16, dropout: 0 });
  expect(layout.slabs.some((s) => s.numel * 4 > 81920)).toBe(true);
  const options = { batch: { batchSize: 2, seqLen: 16 }, adamw: { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 }, gradClip: 1 };
  const init = initParams(layout, 3);
  const rng = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 300);
  const next = rng(7);
  const batch = { idx: Uint32Array.from({ length: 32 }, next), targets: Uint32Array.from({ length: 32 }, next) };
  const train = async (c: GpuContext) => {
    const step = new TrainStep(c, layout, options);
    step.setParams(init);
    await step.run([batch], 0); // lr 0: the parameters stay, the gradients are left to read
    const grads = await step.grads.read();
    for (let i = 0; i < 3; i++) await step.run([batch], 1e-2);
    const losses = (await step.flush()).map((m) => m.loss);
    const { params } = await step.readState();
    step.destroy();
    return { losses, params, grads };
  };
  const whole = await train(ctx);
  const split = await train(small);
  let worstGrad = 0;
  for (let i = 0; i < whole.grads.length; i++) worstGrad = Math.max(worstGrad, Math.abs(whole.grads[i] - split.grads[i]));
  expect(worstGrad).toBeLessThanOrEqual(1e-6);
  // Not bit-identical (the tied head's weight gradient is summed in row ranges), and AdamW's
  // normalisation magnifies the last bits of near-zero gradients over three steps.
  expect(split.losses.length).toBe(4);
  split.losses.forEach((l, i) => expect(Math.abs(l - whole.losses[i])).toBeLessThanOrEqual(1e-5));
  let worst = 0;
  for (let i = 0; i < whole.params.length; i++) worst = Math.max(worst, Math.abs(whole.params[i] - split.params[i]));
  expect(worst).toBeLessThanOrEqual(1e-4);
  expect(whole.losses[3]).toBeLessThan(whole.losses[0]);
});
