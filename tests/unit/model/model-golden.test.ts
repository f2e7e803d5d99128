// The engine's GPT and BERT against PyTorch: logits, loss and every parameter gradient of the
// committed goldens (tests/goldens/*.safetensors), one forward + backward each. Prints the max
// difference per tensor, as llm.c's test_gpt2.c does.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { BartGraph } from '../../../src/engine/model/bart';
import { BertGraph } from '../../../src/engine/model/bert';
import { GptGraph } from '../../../src/engine/model/gpt';
import { allParts } from '../../../src/engine/model/params';
import { type Golden, loadGolden, relativeError } from './goldens';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

async function compare(g: Golden, outputs: [string, Tensor][], loss: number, grads: Tensor): Promise<void> {
  const report: string[] = [];
  for (const [name, t] of outputs) {
    const err = relativeError(await t.read(), g.tensors.get(`output.${name}`)!.data);
    report.push(`${name}: max diff ${err.maxDiff.toExponential(2)}, rel ${err.rel.toExponential(2)}`);
    expect(err.rel, name).toBeLessThan(1e-4);
  }
  report.push(`loss: ${loss} vs ${g.loss}`);
  expect(Math.abs(loss - g.loss)).toBeLessThan(1e-4 * g.loss);
  const flat = await grads.read();
  let worst = 0;
  for (const part of allParts(g.layout)) {
    const err = relativeError(flat.subarray(part.offset, part.offset + part.numel), g.tensors.get(`grad.${part.name}`)!.data);
    report.push(`grad ${part.name}: max diff ${err.maxDiff.toExponential(2)}, rel ${err.rel.toExponential(2)}`);
    worst = Math.max(worst, err.rel);
  }
  console.log(`${g.name} vs PyTorch (worst gradient rel ${worst.toExponential(2)}):\n  ${report.join('\n  ')}`);
  expect(worst).toBeLessThan(1e-4);
}

for (const name of ['gpt', 'gpt_nobias', 'gpt_untied']) {
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
    await compare(g, [['logits', graph.logits]], (await graph.lossStats.read())[0], grads);
    rec.destroy();
    graph.destroy();
    params.destroy();
    grads.destroy();
  });
}

test('bert: MLM and NSP logits, loss and all gradients match PyTorch within 1e-4', async () => {
  const g = loadGolden('bert');
  const params = Tensor.from(ctx, g.flatParams, [g.layout.totalFloats]);
  const grads = Tensor.empty(ctx, [g.layout.totalFloats]);
  const B = g.batchSize;
  const T = g.cfg.blockSize;
  const graph = new BertGraph(ctx, g.layout, params, grads, { batchSize: B, seqLen: T });
  const mask = g.input('attention_mask');
  graph.ids.write(g.input('input_ids'));
  graph.types.write(g.input('token_type_ids'));
  graph.kvLen.write(Uint32Array.from({ length: B }, (_, b) => mask.subarray(b * T, (b + 1) * T).reduce((s, x) => s + x, 0)));
  graph.mlmLabels.write(g.input('mlm_labels'));
  graph.nspLabels.write(g.input('nsp_labels'));
  const rec = new Recorder(ctx);
  graph.forward(rec);
  graph.backward(rec);
  await rec.run();
  const loss = (await graph.mlmStats.read())[0] + (await graph.nspStats.read())[0];
  await compare(g, [['logits', graph.logits], ['nsp_logits', graph.nspLogits]], loss, grads);
  rec.destroy();
  graph.destroy();
  params.destroy();
  grads.destroy();
});

test('bart: encoder-decoder logits, loss and all gradients match PyTorch within 1e-4', async () => {
  const g = loadGolden('bart');
  const params = Tensor.from(ctx, g.flatParams, [g.layout.totalFloats]);
  const grads = Tensor.empty(ctx, [g.layout.totalFloats]);
  const B = g.batchSize;
  const Ts = g.cfg.blockSize;
  const graph = new BartGraph(ctx, g.layout, params, grads, { batchSize: B, seqLen: Ts, targetLen: g.targetLen });
  const mask = g.input('attention_mask');
  graph.inputs.input_ids.write(g.input('input_ids'));
  graph.inputs.kvLen.write(Uint32Array.from({ length: B }, (_, b) => mask.subarray(b * Ts, (b + 1) * Ts).reduce((s, x) => s + x, 0)));
  graph.inputs.decoder_input_ids.write(g.input('decoder_input_ids'));
  graph.inputs.labels.write(g.input('labels'));
  const rec = new Recorder(ctx);
  graph.forward(rec);
  graph.backward(rec);
  await rec.run();
  await compare(g, [['logits', graph.logits]], (await graph.lossStats.read())[0], grads);
  rec.destroy();
  graph.destroy();
  params.destroy();
  grads.destroy();
});
