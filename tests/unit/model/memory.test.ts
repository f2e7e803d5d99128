// The memory estimate shown to the user before training is close to what the graphs allocate.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { BartGraph } from '../../../src/engine/model/bart';
import { BertGraph } from '../../../src/engine/model/bert';
import { BABY_SHAKESPEARE, encoderConfig, encoderDecoderConfig, type ModelConfig } from '../../../src/engine/model/config';
import { GptGraph } from '../../../src/engine/model/gpt';
import { estimateMemory } from '../../../src/engine/model/memory';
import { buildParamLayout } from '../../../src/engine/model/params';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

const cases: [string, ModelConfig, number, number][] = [
  ['baby shakespeare_char', BABY_SHAKESPEARE, 12, 64],
  ['small BERT', encoderConfig({ nLayer: 2, nEmbd: 64, nHead: 4, vocabSize: 500, blockSize: 32, dropout: 0 }), 8, 32],
  ['small BART', encoderDecoderConfig({ nLayer: 2, nEmbd: 64, nHead: 4, vocabSize: 300, blockSize: 32 }), 4, 32],
];

for (const [name, cfg, B, T] of cases) {
  test(`${name}: activation estimate within 25% of the allocation`, () => {
    const layout = buildParamLayout(cfg);
    const params = Tensor.empty(ctx, [layout.totalFloats]);
    const grads = Tensor.empty(ctx, [layout.totalFloats]);
    const batch = { batchSize: B, seqLen: T };
    const graph = cfg.kind === 'decoder' ? new GptGraph(ctx, layout, params, grads, batch)
      : cfg.kind === 'encoder' ? new BertGraph(ctx, layout, params, grads, batch)
      : new BartGraph(ctx, layout, params, grads, batch);
    const actual = graph.acts.bytes + graph.dacts.bytes;
    const est = estimateMemory(layout, batch).activationBytes;
    console.log(`${name}: allocated ${actual} bytes of activations, estimated ${est} (${(est / actual).toFixed(2)}x)`);
    expect(est / actual).toBeGreaterThan(0.75);
    expect(est / actual).toBeLessThan(1.25);
    graph.destroy();
    params.destroy();
    grads.destroy();
  });
}
