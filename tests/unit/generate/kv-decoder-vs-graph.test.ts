// KV-cache decoding against the engine's own full-sequence GPT forward (H4's GptGraph), both
// reading ONE flat parameter buffer: the path the training UI uses for samples. The decoder binds
// views into that buffer, so weights changed by training show up without rebuilding it.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { KvDecoder } from '../../../src/engine/generate/kv-decoder';
import { weightsFromFlat } from '../../../src/engine/generate/weights';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { decoderConfig } from '../../../src/engine/model/config';
import { GptGraph } from '../../../src/engine/model/gpt';
import { buildParamLayout } from '../../../src/engine/model/params';
import { maxRelError, randomParams, referenceGptForward, testRng } from './reference-gpt';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

async function decodeAll(dec: KvDecoder, ids: number[], chunk: number): Promise<{ rows: Float32Array[]; at: number[] }> {
  dec.reset();
  const rows: Float32Array[] = [];
  const at: number[] = [];
  for (let start = 0; start < ids.length; start += chunk) {
    const n = Math.min(chunk, ids.length - start);
    rows.push((await dec.feed(ids.slice(start, start + n))).slice());
    at.push(start + n - 1);
  }
  return { rows, at };
}

function worst(V: number, want: ArrayLike<number>, got: { rows: Float32Array[]; at: number[] }): number {
  return Math.max(...got.rows.map((row, i) => maxRelError(row, Array.prototype.slice.call(want, got.at[i] * V, (got.at[i] + 1) * V))));
}

test("KV-cache logits equal the engine's full-sequence GPT forward, reading the same flat parameter buffer", async () => {
  // The integration path for samples during training: decoder views into the trained buffer.
  const cfg = decoderConfig({ vocabSize: 33, nLayer: 2, nHead: 2, nEmbd: 14, blockSize: 10, bias: true });
  const layout = buildParamLayout(cfg);
  const host = randomParams(cfg, 21);
  const flat = new Float32Array(layout.totalFloats);
  for (const [name, data] of host) flat.set(data, layout.part(name).offset);
  const params = Tensor.from(ctx, flat, [layout.totalFloats]);
  const grads = Tensor.empty(ctx, [layout.totalFloats]);
  const T = cfg.blockSize;
  const rand = testRng(5);
  const ids = Array.from({ length: T }, () => Math.floor(rand() * cfg.vocabSize));
  const graph = new GptGraph(ctx, layout, params, grads, { batchSize: 1, seqLen: T });
  graph.idx.write(Uint32Array.from(ids));
  graph.targets.write(Uint32Array.from(ids));
  const rec = new Recorder(ctx);
  graph.forward(rec);
  await rec.run();
  const full = await graph.logits.read();
  const dec = new KvDecoder(ctx, weightsFromFlat(ctx, layout, params), { prefillRows: 3 });
  expect(worst(cfg.vocabSize, full, await decodeAll(dec, ids, 1))).toBeLessThan(1e-4);
  expect(worst(cfg.vocabSize, full, await decodeAll(dec, ids, 3))).toBeLessThan(1e-4);
  // The decoder reads the live buffer: new weights show up without rebuilding it.
  const changed = randomParams(cfg, 22);
  for (const [name, data] of changed) flat.set(data, layout.part(name).offset);
  params.write(flat);
  expect(worst(cfg.vocabSize, referenceGptForward(cfg, changed, ids), await decodeAll(dec, ids, 4))).toBeLessThan(1e-4);
  dec.destroy();
  graph.destroy();
  rec.destroy();
  params.destroy();
  grads.destroy();
});

