// Layer-wise lr decay's depths and multiples from Hugging Face tensor names, for BERT, GPT-2 and
// BART (whose decoder sits above its encoder), over a whole classifier layout; and its refusals.
import { expect, test } from 'vitest';
import { layerDecayOf, layerDecayScale, layerDepth } from '../../../src/engine/finetune/layer-decay';
import { decoderConfig, encoderConfig, encoderDecoderConfig } from '../../../src/engine/model/config';
import { buildParamLayout, trainableRanges } from '../../../src/engine/model/params';

const shape = { nLayer: 2, nEmbd: 16, nHead: 2, vocabSize: 30, blockSize: 8 };
const bert = encoderConfig(shape);
const gpt = decoderConfig(shape);
const bart = encoderDecoderConfig(shape);

test('depths: embeddings 0, layers from the bottom up, everything else the head', () => {
  expect(['bert.embeddings.word_embeddings.weight', 'bert.embeddings.LayerNorm.bias', 'bert.encoder.layer.0.attention.self.query.weight', 'bert.encoder.layer.1.output.LayerNorm.weight', 'bert.pooler.dense.weight', 'classifier.bias']
    .map((n) => layerDepth(bert, n))).toEqual([0, 0, 1, 2, 'head', 'head']);
  expect(['transformer.wte.weight', 'transformer.wpe.weight', 'transformer.h.0.attn.c_attn.lora_A.weight', 'transformer.h.1.mlp.c_proj.bias', 'transformer.ln_f.weight', 'score.weight']
    .map((n) => layerDepth(gpt, n))).toEqual([0, 0, 1, 2, 'head', 'head']);
  expect(['model.shared.weight', 'model.decoder.layernorm_embedding.weight', 'model.encoder.layers.1.fc1.weight', 'model.decoder.layers.0.encoder_attn.k_proj.weight', 'model.decoder.layers.1.fc2.bias', 'classification_head.dense.weight']
    .map((n) => layerDepth(bart, n))).toEqual([0, 0, 2, 3, 4, 'head']);
});

test('multiples: the head at 1, the top layer at decay, one more factor a layer down, the embeddings below the lowest', () => {
  const scale = (n: string) => layerDecayScale(bert, n, 0.5);
  expect([scale('classifier.weight'), scale('bert.encoder.layer.1.intermediate.dense.weight'), scale('bert.encoder.layer.0.intermediate.dense.weight'), scale('bert.embeddings.word_embeddings.weight')]).toEqual([1, 0.5, 0.25, 0.125]);
  expect(layerDecayScale(bart, 'model.encoder.layers.0.fc1.weight', 0.5)).toBe(0.5 ** 4);
  expect(layerDecayScale(gpt, 'transformer.h.0.mlp.c_fc.weight', 1)).toBe(1);
  for (const bad of [0, -0.5, 1.5, NaN]) expect(() => layerDecayScale(bert, 'classifier.weight', bad)).toThrow(/must be in \(0, 1\]/);
});

test("AdamW's ranges follow the layers: one multiple per range, every trainable slab covered at its layer's multiple", () => {
  for (const cfg of [bert, gpt, bart]) {
    const layout = buildParamLayout(cfg, { heads: [{ kind: 'classify', numLabels: 3, pool: cfg.kind === 'decoder' ? 'last' : 'first' }] });
    const ranges = trainableRanges(layout, 0.1, layerDecayOf(cfg, 0.5));
    for (const slab of layout.slabs) {
      const r = ranges.find((x) => slab.offset >= x.offset && slab.offset + slab.numel <= x.offset + x.count);
      expect(r, slab.key).toBeDefined();
      expect(r!.lrScale, slab.key).toBe(layerDecayScale(cfg, slab.parts[0].name, 0.5));
      expect(r!.weightDecay, slab.key).toBe(slab.decay ? 0.1 : 0);
    }
    expect(new Set(ranges.map((r) => r.lrScale)).size).toBe(cfg.kind === 'encoder-decoder' ? 6 : 4);
  }
  const mixed = { key: 'odd', shape: [2], offset: 0, numel: 2, role: 'weight' as const, decay: true, parts: [{ name: 'bert.encoder.layer.0.x', shape: [1], offset: 0, numel: 1 }, { name: 'classifier.weight', shape: [1], offset: 1, numel: 1 }] };
  expect(() => layerDecayOf(bert, 0.5)(mixed)).toThrow(/different layers/);
});
