// Dropout wired into GPT, BERT and BART: off in evaluation (the PyTorch golden loss exactly), on in
// training (a different, seed-reproducible loss), and the backward pass uses the same masks as the
// forward: a finite difference along the gradient direction matches the gradient's norm.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { StepState } from '../../../src/engine/ops/step-state';
import type { TrainGraph } from '../../../src/engine/model/graph';
import { buildParamLayout } from '../../../src/engine/model/params';
import { buildGraph } from '../../../src/engine/train/step';
import { batchOf, type Golden, loadGolden } from './goldens';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

function upload(g: Golden, graph: TrainGraph): void {
  const batch = batchOf(g);
  for (const [name, t] of Object.entries(graph.inputs)) t.write(batch[name]);
}

async function lossOf(graph: TrainGraph): Promise<number> {
  let loss = 0;
  for (const t of graph.lossTerms) loss += (await t.read())[0];
  return loss;
}

for (const name of ['gpt', 'bert', 'bart']) {
  test(`${name} with dropout 0.2: off in eval, seeded in training, gradients consistent with the masks`, async () => {
    const g = loadGolden(name);
    const layout = buildParamLayout({ ...g.cfg, dropout: 0.2 });
    const state = new StepState(ctx);
    const params = Tensor.from(ctx, g.flatParams, [layout.totalFloats]);
    const grads = Tensor.empty(ctx, [layout.totalFloats]);
    const batch = { batchSize: g.batchSize, seqLen: g.cfg.blockSize, targetLen: g.targetLen };
    const graph: TrainGraph = buildGraph(ctx, layout, params, grads, batch, 1, state);
    upload(g, graph);
    const evalRec = new Recorder(ctx);
    graph.forward(evalRec, false);
    const trainFwd = new Recorder(ctx);
    graph.forward(trainFwd, true);
    const step = new Recorder(ctx);
    graph.forward(step, true);
    graph.backward(step);

    await evalRec.run();
    expect(Math.abs((await lossOf(graph)) - g.loss)).toBeLessThan(1e-4 * g.loss);
    state.set({ step: 1, seed: 7, lr: 0 });
    await trainFwd.run();
    const dropped = await lossOf(graph);
    expect(Math.abs(dropped - g.loss)).toBeGreaterThan(1e-3);
    await trainFwd.run();
    expect(await lossOf(graph)).toBe(dropped);
    state.set({ step: 1, seed: 8, lr: 0 });
    await trainFwd.run();
    expect(await lossOf(graph)).not.toBe(dropped);

    // Directional derivative along u = grad / |grad| with the step-1 / seed-7 masks.
    state.set({ step: 1, seed: 7, lr: 0 });
    await step.run();
    const grad = await grads.read();
    const norm = Math.hypot(...grad);
    const h = 1e-3;
    const at = async (sign: number) => {
      params.write(Float32Array.from(g.flatParams, (w, i) => w + (sign * h * grad[i]) / norm));
      await trainFwd.run();
      return lossOf(graph);
    };
    const fd = ((await at(1)) - (await at(-1))) / (2 * h);
    console.log(`${name} dropout 0.2: eval ${g.loss.toFixed(6)}, train ${dropped.toFixed(6)}, |grad| ${norm.toFixed(6)}, finite difference ${fd.toFixed(6)}`);
    expect(Math.abs(fd - norm) / norm).toBeLessThan(1e-2);
    for (const r of [evalRec, trainFwd, step]) r.destroy();
    graph.destroy();
    state.destroy();
    params.destroy();
    grads.destroy();
  });
}
