// Heads and trainable scopes at the layout and trace level: head tensors carry Hugging Face's names
// (the same as PyTorch's modules in the goldens), a checkpoint without a head reports it and gets
// it initialised while leftover tensors are reported, frozen prefixes must cover whole slabs, AdamW
// ranges skip frozen slabs, and a frozen layer's weight-gradient kernels are never recorded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { readSafetensors } from '../../../src/engine/io/safetensors';
import { decoderConfig, encoderConfig } from '../../../src/engine/model/config';
import { GptGraph } from '../../../src/engine/model/gpt';
import { allParts, buildParamLayout, loadParams, matchCheckpoint, trainableRanges } from '../../../src/engine/model/params';
import { loadGolden } from './goldens';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

const bert = encoderConfig({ nLayer: 2, nEmbd: 16, nHead: 2, vocabSize: 41, blockSize: 11, dropout: 0 });
const classify = { kind: 'classify', numLabels: 3, pool: 'first' } as const;

test('classification layouts carry exactly the tensors of PyTorch\'s ...ForSequenceClassification modules', () => {
  for (const name of ['gpt_cls', 'bert_cls_frozen', 'bart_cls', 'bert_cls_lora', 'gpt_cls_lora']) {
    const g = loadGolden(name);
    const file = readSafetensors(join(__dirname, '..', '..', 'goldens', `${name}.safetensors`));
    const torch = new Map([...file.tensors].filter(([k]) => k.startsWith('param.')).map(([k, t]) => [k.slice(6), t.shape]));
    expect(new Map(allParts(g.layout).map((p) => [p.name, p.shape]))).toEqual(torch);
  }
  expect(JSON.parse(readFileSync(join(__dirname, '..', '..', 'goldens', 'gpt_cls.json'), 'utf8')).config.heads[0].pool).toBe('last');
});

test('heads refuse bodies they cannot sit on, naming why', () => {
  expect(() => buildParamLayout(bert, { heads: [{ kind: 'lm' }] })).toThrow(/use the mlm head/);
  expect(() => buildParamLayout(decoderConfig({ nLayer: 1, nEmbd: 16, nHead: 2 }), { heads: [{ kind: 'nsp' }] })).toThrow(/pooler/);
  expect(() => buildParamLayout(bert, { heads: [{ ...classify, pool: 'last' }] })).toThrow(/\[CLS\]/);
  expect(() => buildParamLayout(bert, { heads: [{ ...classify, numLabels: 1 }] })).toThrow(/numLabels/);
});

test('a pretraining checkpoint loads into a classifier: the new head is initialised and named, the old heads reported', () => {
  const pre = buildParamLayout(bert); // MLM + NSP
  const cls = buildParamLayout(bert, { heads: [classify] });
  const tensors = new Map(allParts(pre).map((p) => [p.name, { shape: p.shape, data: new Float32Array(p.numel).fill(0.5) }]));
  const { missing, unexpected, mismatched } = matchCheckpoint(cls, new Map([...tensors].map(([n, t]) => [n, t.shape])));
  expect(missing).toEqual(['classifier.weight', 'classifier.bias']);
  expect(unexpected.sort()).toEqual(allParts(pre).map((p) => p.name).filter((n) => n.startsWith('cls.')).sort());
  expect(mismatched).toEqual([]);
  const init = new Float32Array(cls.totalFloats).fill(-1);
  const { flat, initialised } = loadParams(cls, tensors, init);
  expect(initialised).toEqual(missing);
  const w = cls.part('classifier.weight');
  expect(flat.subarray(w.offset, w.offset + w.numel).every((x) => x === -1)).toBe(true);
  const q = cls.part('bert.encoder.layer.1.attention.self.query.weight');
  expect(flat.subarray(q.offset, q.offset + q.numel).every((x) => x === 0.5)).toBe(true);
  // A body tensor may not be missing; a wrong shape is refused.
  tensors.delete('bert.pooler.dense.weight');
  expect(() => matchCheckpoint(cls, new Map([...tensors].map(([n, t]) => [n, t.shape])))).toThrow(/body tensor bert.pooler.dense.weight missing/);
  tensors.set('bert.pooler.dense.weight', { shape: [16, 15], data: new Float32Array(240) });
  expect(() => loadParams(cls, tensors, init)).toThrow(/shapes differ: bert.pooler.dense.weight \[16,15\] vs \[16,16\]/);
});

test('frozen prefixes cover whole slabs, match something, and take their slabs out of AdamW\'s ranges', () => {
  expect(() => buildParamLayout(bert, { frozen: ['bert.encoder.layer.0.attention.self.query.'] })).toThrow(/covers only part of the fused tensor/);
  expect(() => buildParamLayout(bert, { frozen: ['bert.encoder.layer.7.'] })).toThrow(/match no parameter/);
  const open = buildParamLayout(bert);
  expect(trainableRanges(open, 0.1)).toEqual([
    { offset: 0, count: open.decayRange.length, weightDecay: 0.1, lrScale: 1 },
    { offset: open.decayRange.length, count: open.noDecayRange.length, weightDecay: 0, lrScale: 1 },
  ]);
  const layout = buildParamLayout(bert, { frozen: ['bert.embeddings.', 'bert.encoder.layer.0.'] });
  const frozen = layout.slabs.filter((s) => layout.frozen.has(s.key));
  expect(frozen.map((s) => s.key).every((k) => k.startsWith('bert.embeddings.') || k.startsWith('bert.encoder.layer.0.'))).toBe(true);
  expect(frozen.length).toBe(5 + 12); // 3 tables + the layernorm's gain and shift; layer 0: 4 linears and 2 layernorms, 2 slabs each
  const ranges = trainableRanges(layout, 0.1);
  const covered = (i: number) => ranges.some((r) => i >= r.offset && i < r.offset + r.count);
  for (const s of layout.slabs) {
    expect(covered(s.offset), s.key).toBe(!layout.frozen.has(s.key));
    expect(covered(s.offset + s.numel - 1), s.key).toBe(!layout.frozen.has(s.key));
    const r = ranges.find((x) => s.offset >= x.offset && s.offset < x.offset + x.count);
    if (r) expect(r.weightDecay, s.key).toBe(s.decay ? 0.1 : 0);
  }
});

test('a frozen layer records no weight-gradient kernels (skipped, not computed and discarded), and a frozen bottom no backward', () => {
  const cfg = decoderConfig({ nLayer: 2, nEmbd: 16, nHead: 2, vocabSize: 37, blockSize: 8 });
  const labels = (frozen: string[]) => {
    const layout = buildParamLayout(cfg, { frozen });
    const params = Tensor.empty(ctx, [layout.totalFloats]);
    const grads = Tensor.empty(ctx, [layout.totalFloats]);
    const graph = new GptGraph(ctx, layout, params, grads, { batchSize: 2, seqLen: 8 });
    const rec = new Recorder(ctx);
    graph.backward(rec);
    const out = rec.dispatches.map((d) => d.label);
    rec.destroy();
    graph.destroy();
    params.destroy();
    grads.destroy();
    return out;
  };
  const all = labels([]);
  const some = labels(['transformer.h.0.', 'transformer.wpe.']);
  const h0 = (l: string) => l.includes('h0.') && /\.d[wb]\b/.test(l);
  expect(all.filter(h0).length).toBeGreaterThan(0);
  expect(some.filter(h0)).toEqual([]);
  expect(some.filter((l) => l.includes('h1.') && /\.dw\b/.test(l)).length).toBe(all.filter((l) => l.includes('h1.') && /\.dw\b/.test(l)).length);
  // With the embeddings frozen too, nothing below layer 1 needs a gradient: no layer-0 backward at all.
  const bottom = labels(['transformer.h.0.', 'transformer.wpe.', 'transformer.wte.']);
  expect(bottom.filter((l) => l.includes('h0.'))).toEqual([]);
  expect(some.filter((l) => l.includes('h0.')).length).toBeGreaterThan(0);
  console.log(`GPT backward: ${all.length} dispatches, ${some.length} with layer 0 and positions frozen, ${bottom.length} with the embeddings too`);
  expect(bottom.length).toBeLessThan(some.length - 10);
  // Layer 0: 4 dW and 4 db matmuls, 2 layernorms x 2 parameter-gradient kernels; the position table's scatter.
  expect(all.length - some.length).toBe(4 + 4 + 2 * 2 + 1);
});
