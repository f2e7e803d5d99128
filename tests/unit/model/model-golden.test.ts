// The engine's GPT, BERT and BART against PyTorch: logits, loss and every parameter gradient of the
// committed goldens (tests/goldens/*.safetensors), one forward + backward each. Prints the max
// difference per tensor, as llm.c's test_gpt2.c does. The newer goldens cover the erf GELU, the
// post-LN layer with dropout (the engine's masks replayed in PyTorch), classification heads and
// frozen tensors.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { BartGraph } from '../../../src/engine/model/bart';
import { BertGraph } from '../../../src/engine/model/bert';
import { GptGraph } from '../../../src/engine/model/gpt';
import { allParts, buildParamLayout } from '../../../src/engine/model/params';
import { classifyIndex } from '../../../src/engine/model/heads/classify';
import { classifierTargetLen, classifyBatch } from '../../../src/engine/finetune/encode';
import { StepState } from '../../../src/engine/ops/step-state';
import { buildGraph } from '../../../src/engine/train/step';
import { batchOf, type Golden, loadGolden, relativeError } from './goldens';

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

for (const name of ['gpt', 'gpt_nobias', 'gpt_untied', 'gpt_erf']) {
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

/** One forward + backward of the graph buildGraph assembles for the golden's layout (heads, frozen). */
async function runGolden(g: Golden, layout = g.layout): Promise<{ outputs: Map<string, Float32Array>; loss: number; grads: Float32Array }> {
  const params = Tensor.from(ctx, g.flatParams, [layout.totalFloats]);
  const grads = Tensor.empty(ctx, [layout.totalFloats]);
  const state = new StepState(ctx); // step 1, seed 0: the masks the dropout golden replays
  const graph = buildGraph(ctx, layout, params, grads, { batchSize: g.batchSize, seqLen: g.cfg.blockSize, targetLen: g.targetLen }, 1, state);
  const batch = batchOf(g);
  for (const [name, t] of Object.entries(graph.inputs)) t.write(batch[name]);
  const rec = new Recorder(ctx);
  graph.forward(rec);
  graph.backward(rec);
  await rec.run();
  let loss = 0;
  for (const t of graph.lossTerms) loss += (await t.read())[0];
  const outputs = new Map<string, Float32Array>();
  const heads = (graph as unknown as { heads: { logits: Tensor }[] }).heads;
  outputs.set('logits', await heads[0].logits.read());
  if (heads[1]) outputs.set('nsp_logits', await heads[1].logits.read());
  const flat = await grads.read();
  rec.destroy();
  graph.destroy();
  state.destroy();
  params.destroy();
  grads.destroy();
  return { outputs, loss, grads: flat };
}

for (const name of ['bert_dropout', 'bart_dropout', 'bart_vocab2', 'gpt_cls', 'bert_cls_frozen', 'bert_cls_mean', 'bart_cls', 'bart_cls_eos', 'bert_cls_lora', 'gpt_cls_lora', 'bert_cls_lora_dropout', 'gpt_cls_lora_dropout', 'bart_cls_lora']) {
  test(`${name}: logits, loss and all gradients match PyTorch within 1e-4`, async () => {
    const g = loadGolden(name);
    const { outputs, loss, grads } = await runGolden(g);
    const t = Tensor.from(ctx, grads, [grads.length]);
    const outs = [...outputs].filter(([n]) => g.tensors.has(`output.${n}`)).map(([n, data]) => [n, Tensor.from(ctx, data, [data.length])] as [string, Tensor]);
    await compare(g, outs, loss, t);
    for (const [, o] of outs) o.destroy();
    t.destroy();
    // Frozen tensors: nothing was written to their gradients.
    for (const key of g.layout.frozen) {
      const s = g.layout.slab(key);
      expect(grads.subarray(s.offset, s.offset + s.numel).every((x) => x === 0), `${key} gradient`).toBe(true);
    }
  });
}

test('the classification goldens gather the rows classifyIndex computes', () => {
  expect([...loadGolden('gpt_cls').input('cls_index')]).toEqual([...classifyIndex('last', 11, [11, 7, 4])]);
  expect([...loadGolden('bert_cls_frozen').input('cls_index')]).toEqual([...classifyIndex('first', 11, [11, 8, 5])]);
  expect([...loadGolden('bart_cls').input('cls_index')]).toEqual([...classifyIndex('first', 7, [7, 7, 7])]);
});

test("BART 'eos' pooling: classifyBatch's decoder inputs and rows are transformers' shift_tokens_right and last-eos positions", () => {
  const g = loadGolden('bart_cls_eos');
  const ids = g.input('input_ids');
  const lengths = Uint32Array.from([11, 6, 9]);
  const enc = { T: 11, count: 3, ids, types: new Uint32Array(ids.length), lengths, labels: g.input('class_labels'), truncated: 0, decoderStart: 1 };
  const batch = classifyBatch(enc, 'encoder-decoder', 'last', [0, 1, 2], 3);
  expect([...batch.decoder_input_ids]).toEqual([...g.input('decoder_input_ids')]);
  expect([...batch.cls_index]).toEqual([...g.input('cls_index')]);
  expect(classifierTargetLen('encoder-decoder', 'last')).toBeUndefined();
  expect(classifierTargetLen('encoder-decoder', 'first')).toBe(1);
});

test('the goldens discriminate: tanh GELU on the erf golden, or dropout (or lora_dropout) off on a dropout golden, miss by more than 1e-4', async () => {
  const worstOf = async (g: Golden, layout: typeof g.layout) => {
    const { outputs, grads } = await runGolden(g, layout);
    let worst = relativeError(outputs.get('logits')!, g.tensors.get('output.logits')!.data).rel;
    for (const part of allParts(g.layout)) {
      worst = Math.max(worst, relativeError(grads.subarray(part.offset, part.offset + part.numel), g.tensors.get(`grad.${part.name}`)!.data).rel);
    }
    return worst;
  };
  const erf = loadGolden('gpt_erf');
  const tanhWorst = await worstOf(erf, buildParamLayout({ ...erf.cfg, activation: 'gelu_tanh' }));
  const drop = loadGolden('bert_dropout');
  const noDropWorst = await worstOf(drop, buildParamLayout({ ...drop.cfg, dropout: 0 }));
  const loraDrop = loadGolden('gpt_cls_lora_dropout');
  const frozen = ['transformer.wte.', 'transformer.wpe.', 'transformer.ln_f.', 'transformer.h.0.', 'transformer.h.1.']; // as make_goldens.py
  const noLoraDrop = buildParamLayout(loraDrop.cfg, { heads: loraDrop.layout.heads, frozen, lora: { ...loraDrop.layout.lora!, dropout: 0 } });
  expect(allParts(noLoraDrop).map((p) => [p.name, p.offset])).toEqual(allParts(loraDrop.layout).map((p) => [p.name, p.offset]));
  const noLoraDropWorst = await worstOf(loraDrop, noLoraDrop);
  const bartDrop = loadGolden('bart_dropout');
  const bartNoDropWorst = await worstOf(bartDrop, buildParamLayout({ ...bartDrop.cfg, dropout: 0 }));
  console.log(`gpt_erf with tanh GELU: worst rel ${tanhWorst.toExponential(2)}; bert_dropout without dropout: ${noDropWorst.toExponential(2)}; bart_dropout without dropout: ${bartNoDropWorst.toExponential(2)}; gpt_cls_lora_dropout without lora_dropout: ${noLoraDropWorst.toExponential(2)}`);
  expect(bartNoDropWorst).toBeGreaterThan(1e-4);
  expect(tanhWorst).toBeGreaterThan(1e-4);
  expect(noDropWorst).toBeGreaterThan(1e-4);
  expect(noLoraDropWorst).toBeGreaterThan(1e-4);
});

// Its rows are padded (11, 8 and 5 real tokens of 11) and the padding's hidden states are not zero,
// so a mean that counted them would miss too (tests/unit/ops/mean-pool.test.ts checks the op alone).
test('the mean-pooling golden discriminates: the [CLS] head on the same weights and batch misses by more than 1e-4', async () => {
  const g = loadGolden('bert_cls_mean');
  const worstOf = async (layout: typeof g.layout) => {
    const { outputs, grads } = await runGolden(g, layout);
    let worst = relativeError(outputs.get('logits')!, g.tensors.get('output.logits')!.data).rel;
    for (const part of allParts(g.layout)) {
      worst = Math.max(worst, relativeError(grads.subarray(part.offset, part.offset + part.numel), g.tensors.get(`grad.${part.name}`)!.data).rel);
    }
    return worst;
  };
  const cls = buildParamLayout(g.cfg, { heads: [{ kind: 'classify', numLabels: 3, pool: 'first' }] });
  expect(allParts(cls).map((p) => [p.name, p.offset])).toEqual(allParts(g.layout).map((p) => [p.name, p.offset]));
  const clsWorst = await worstOf(cls);
  const same = await worstOf(g.layout);
  console.log(`bert_cls_mean: mean pooling worst rel ${same.toExponential(2)}; [CLS] pooling ${clsWorst.toExponential(2)}`);
  expect(same).toBeLessThan(1e-4);
  expect(clsWorst).toBeGreaterThan(1e-4);
  expect([...batchOf(g).kvLen]).toEqual([11, 8, 5]);
});

// Freezing changes which gradients are computed, never their values: the trainable ones equal the
// unfrozen golden's (a frozen decoder still carries the encoder's gradient through cross-attention).
const freezes: [string, string[]][] = [
  ['gpt', ['transformer.wte.', 'transformer.wpe.', 'transformer.h.0.']],
  ['bert', ['bert.embeddings.', 'bert.encoder.layer.0.']],
  ['bart', ['model.shared.', 'model.decoder.']],
  ['bart_vocab2', ['model.encoder.embed_tokens.', 'model.decoder.layers.']],
];
for (const [name, frozen] of freezes) {
  test(`${name} with ${frozen.join(', ')} frozen: the other gradients are the golden's, the frozen ones zero`, async () => {
    const g = loadGolden(name);
    const layout = buildParamLayout(g.cfg, { frozen });
    const { grads } = await runGolden(g, layout);
    let worst = 0;
    let trainable = 0;
    for (const slab of layout.slabs) {
      for (const part of slab.parts) {
        const got = grads.subarray(part.offset, part.offset + part.numel);
        if (layout.frozen.has(slab.key)) {
          expect(got.every((x) => x === 0), part.name).toBe(true);
          continue;
        }
        trainable++;
        worst = Math.max(worst, relativeError(got, g.tensors.get(`grad.${part.name}`)!.data).rel);
      }
    }
    console.log(`${name}, ${frozen.join(' ')} frozen: ${trainable} trainable tensors, worst gradient rel ${worst.toExponential(2)}`);
    expect(trainable).toBeGreaterThan(5);
    expect(worst).toBeLessThan(1e-4);
  });
}
