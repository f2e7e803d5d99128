// The training step's memory plan: every buffer exists once the step is built (the first step
// allocates nothing either), activation gradients reuse the buffers of activations that died,
// inputs and loss statistics keep their own, and the micro-batch and evaluation recordings, which
// share the pooled activations, still compute the same loss.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import type { GptGraph } from '../../../src/engine/model/gpt';
import { TrainStep } from '../../../src/engine/train/step';
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
