// The engine's GPT against PyTorch: logits, loss and every parameter gradient of the committed
// goldens (tests/goldens/gpt*.safetensors), one forward + backward.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { GptGraph } from '../../../src/engine/model/gpt';
import { allParts } from '../../../src/engine/model/params';
import { loadGolden, relativeError } from './goldens';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

for (const name of ['gpt', 'gpt_nobias']) {
  test(`${name}: logits, loss and all gradients match PyTorch within 1e-4`, async () => {
    const g = loadGolden(name);
    const params = Tensor.from(ctx, g.flatParams, [g.layout.totalFloats]);
    const grads = Tensor.empty(ctx, [g.layout.totalFloats]);
    const graph = new GptGraph(ctx, g.layout, params, grads, { batchSize: g.batchSize, seqLen: g.cfg.blockSize });
    graph.idx.write(g.input('idx'));
    graph.targets.write(g.input('targets'));
    const rec = new Recorder(ctx);
    graph.forward(rec);
    graph.backward(rec);
    await rec.run();

    const report: string[] = [];
    const logits = relativeError(await graph.logits.read(), g.tensors.get('output.logits')!.data);
    report.push(`logits: max diff ${logits.maxDiff.toExponential(2)}, rel ${logits.rel.toExponential(2)}`);
    expect(logits.rel).toBeLessThan(1e-4);
    const stats = await graph.lossStats.read();
    report.push(`loss: ${stats[0]} vs ${g.loss}`);
    expect(Math.abs(stats[0] - g.loss)).toBeLessThan(1e-4 * g.loss);
    const flat = await grads.read();
    let worst = 0;
    for (const part of allParts(g.layout)) {
      const want = g.tensors.get(`grad.${part.name}`)!.data;
      const err = relativeError(flat.subarray(part.offset, part.offset + part.numel), want);
      report.push(`grad ${part.name}: max diff ${err.maxDiff.toExponential(2)}, rel ${err.rel.toExponential(2)}`);
      worst = Math.max(worst, err.rel);
      expect(err.rel, part.name).toBeLessThan(1e-4);
    }
    console.log(`${name} vs PyTorch (worst gradient rel ${worst.toExponential(2)}):\n  ${report.join('\n  ')}`);
    rec.destroy();
    graph.destroy();
    params.destroy();
    grads.destroy();
  });
}
