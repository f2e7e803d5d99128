import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { readSafetensors } from '../../../src/engine/io/safetensors';
import { BABY_SHAKESPEARE, decoderConfig, encoderConfig, type ModelConfig } from '../../../src/engine/model/config';
import { assertFits, estimateMemory } from '../../../src/engine/model/memory';
import { allParts, buildParamLayout, SLAB_ALIGN_FLOATS } from '../../../src/engine/model/params';

const GOLDENS = join(__dirname, '..', '..', 'goldens');

function golden(name: string): { cfg: ModelConfig; params: Map<string, number[]> } {
  const meta = JSON.parse(readFileSync(join(GOLDENS, `${name}.json`), 'utf8'));
  const file = readSafetensors(join(GOLDENS, `${name}.safetensors`));
  const params = new Map<string, number[]>();
  for (const [k, t] of file.tensors) if (k.startsWith('param.')) params.set(k.slice(6), t.shape);
  const c = meta.config;
  const base = c.kind === 'encoder' ? encoderConfig : decoderConfig;
  return { cfg: base({ ...c, typeVocabSize: c.typeVocabSize ?? 0, pooler: c.pooler ?? false }), params };
}

test('layouts carry exactly the Hugging Face names and shapes PyTorch has', () => {
  for (const name of ['gpt', 'gpt_nobias', 'gpt_untied', 'bert', 'bart']) {
    const { cfg, params } = golden(name);
    const layout = buildParamLayout(cfg);
    const parts = allParts(layout);
    expect(new Map(parts.map((p) => [p.name, p.shape]))).toEqual(params);
    expect(layout.count).toBe([...params.values()].reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0));
  }
});

test('slabs are 256-byte aligned, disjoint, and decay is one leading range', () => {
  for (const cfg of [BABY_SHAKESPEARE, encoderConfig({ nLayer: 2, nEmbd: 24, nHead: 3, vocabSize: 101 }), decoderConfig({ kind: 'encoder-decoder', nLayer: 2, nEmbd: 16, nHead: 2, vocabSize: 50 })]) {
    const layout = buildParamLayout(cfg);
    let end = 0;
    let seenNoDecay = false;
    for (const s of layout.slabs) {
      expect(s.offset % SLAB_ALIGN_FLOATS).toBe(0);
      expect(s.offset).toBeGreaterThanOrEqual(end);
      expect(s.numel).toBe(s.shape.reduce((a, b) => a * b, 1));
      end = s.offset + s.numel;
      if (!s.decay) seenNoDecay = true;
      else expect(seenNoDecay).toBe(false);
      const inRange = s.decay ? layout.decayRange : layout.noDecayRange;
      expect(s.offset).toBeGreaterThanOrEqual(inRange.offset);
      expect(s.offset + s.numel).toBeLessThanOrEqual(inRange.offset + inRange.length);
    }
    expect(end).toBeLessThanOrEqual(layout.totalFloats);
    expect(layout.decayRange.length + layout.noDecayRange.length).toBe(layout.totalFloats);
  }
});

test('decay groups follow nanoGPT (2D decays) and can exempt embeddings', () => {
  const layout = buildParamLayout(golden('gpt').cfg);
  for (const s of layout.slabs) expect(s.decay).toBe(s.shape.length >= 2);
  const noEmb = buildParamLayout(golden('gpt').cfg, { decayEmbeddings: false });
  expect(noEmb.slab('transformer.wte.weight').decay).toBe(false);
  expect(noEmb.slab('transformer.h.0.attn.c_attn.weight').decay).toBe(true);
});

test('BERT query/key/value are stacked into one [3C, C] slab, parts in order', () => {
  const layout = buildParamLayout(golden('bert').cfg);
  const qkv = layout.slab('bert.encoder.layer.1.attention.self.query_key_value.weight');
  expect(qkv.shape).toEqual([48, 16]);
  expect(qkv.parts.map((p) => [p.name.split('.').at(-2), p.offset - qkv.offset])).toEqual([['query', 0], ['key', 256], ['value', 512]]);
  expect(() => layout.part('bert.encoder.layer.9.output.dense.weight')).toThrow(/no parameter/);
});

test('the baby shakespeare model has nanoGPT\'s parameter count', () => {
  const layout = buildParamLayout(BABY_SHAKESPEARE);
  // nanoGPT prints 0.80M without position embeddings: 795,904 + 64 * 128
  expect(layout.count - 64 * 128).toBe(795904);
  const est = estimateMemory(layout, { batchSize: 12, seqLen: 64 });
  expect(est.paramBytes).toBeGreaterThanOrEqual(layout.count * 4);
  expect(est.totalBytes).toBeGreaterThan(4 * est.paramBytes);
  expect(est.totalBytes).toBeLessThan(64 * 1024 * 1024);
});

test('a model that will not fit is refused up front with the estimate and the limit', () => {
  const limits = { maxBufferSize: 256 * 2 ** 20, maxStorageBufferBindingSize: 128 * 2 ** 20, memoryBudgetBytes: 2 * 2 ** 30 };
  expect(() => assertFits(buildParamLayout(BABY_SHAKESPEARE), { batchSize: 12, seqLen: 64 }, limits)).not.toThrow();
  const gpt2 = buildParamLayout(decoderConfig({ vocabSize: 50257 }));
  expect(() => assertFits(gpt2, { batchSize: 8, seqLen: 1024 }, limits)).toThrow(/'gpt\.activations\[8x1024\]\.lm\.logits' \[8192,50257\] needs 1.53 GiB, above this adapter's maxBufferSize of 256.0 MiB/);
  const wide = buildParamLayout(decoderConfig({ vocabSize: 50257, nEmbd: 1024, nHead: 16 }));
  // Token tables past one binding (154 MB, 196 MB) are read in ranges: GPT-2 small fits 128 MiB
  // bindings for a short batch, and a wider one is refused by the memory budget instead.
  expect(() => assertFits(gpt2, { batchSize: 2, seqLen: 128 }, { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 128 * 2 ** 20 })).not.toThrow();
  expect(() => assertFits(wide, { batchSize: 1, seqLen: 16 }, { ...limits, maxBufferSize: 2 ** 30 })).toThrow(/needs about 3.10 GiB .*above the memory budget of 2.00 GiB/);
  expect(() => assertFits(gpt2, { batchSize: 1, seqLen: 64 }, { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30, memoryBudgetBytes: 2 ** 30 })).toThrow(/needs about .* GiB .*above the memory budget of 1.00 GiB/);
  expect(() => assertFits(gpt2, { batchSize: 1, seqLen: 2048 }, limits)).toThrow(/sequence length 2048 exceeds blockSize 1024/);
});
