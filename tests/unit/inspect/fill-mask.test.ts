// Fill-mask and NSP probability against a direct forward pass: the same weights run as a batch of
// two padded rows through the training graph; the candidates' probabilities must equal the float64
// softmax of that graph's logits at the [MASK] positions, and P(IsNext) the softmax of its NSP logits.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Recorder } from '../../../src/engine/gpu/kernel';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { BertGraph } from '../../../src/engine/model/bert';
import { encoderConfig } from '../../../src/engine/model/config';
import { buildParamLayout } from '../../../src/engine/model/params';
import { EncoderForward, fillMask, nextSentenceProbability } from '../../../src/engine/inspect/fill-mask';
import { softmax64 as softmax } from '../../../src/engine/generate/next-token';
import { trainTokenizer } from '../../../src/engine/tokenizers';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

/** Row 0 = `ids` with `types`, row 1 = a longer filler row, through the training graph; logits and NSP logits of row 0. */
async function direct(config: ReturnType<typeof encoderConfig>, flat: Float32Array, ids: number[], types: number[]) {
  const layout = buildParamLayout(config);
  const params = Tensor.empty(ctx, [layout.totalFloats], 'f32', 'test.params');
  params.write(flat);
  const T = ids.length + 3, V = config.vocabSize;
  const graph = new BertGraph(ctx, layout, params, params, { batchSize: 2, seqLen: T });
  const row = new Uint32Array(2 * T), ty = new Uint32Array(2 * T);
  row.set(ids, 0); ty.set(types, 0);
  for (let i = 0; i < T; i++) row[T + i] = 5 + (i % 7);
  graph.ids.write(row); graph.types.write(ty);
  graph.kvLen.write(Uint32Array.of(ids.length, T));
  graph.mlmLabels.write(new Uint32Array(2 * T).fill(0xffffffff));
  graph.nspLabels.write(new Uint32Array(2).fill(0xffffffff));
  const rec = new Recorder(ctx);
  graph.forward(rec, false);
  await rec.run();
  rec.destroy();
  const logits = (await graph.logits.read()).slice(0, T * V);
  const nsp = (await graph.nspLogits.read()).slice(0, 2);
  graph.destroy(); params.destroy();
  return { logits, nsp, V };
}

test('fill-mask probabilities are the softmax of a direct forward pass at the masked positions; NSP likewise', async () => {
  const tok = await trainTokenizer(['the cat sat on the mat . the dog ran in the park . a bird sang on a tree .'], { kind: 'wordpiece', vocabSize: 80 });
  const config = encoderConfig({ vocabSize: tok.vocabSize, nLayer: 2, nHead: 2, nEmbd: 16, blockSize: 48, ffWidth: 32, dropout: 0, pooler: true });
  let s = 12345;
  const flat = new Float32Array(buildParamLayout(config).totalFloats).map(() => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.6);
  const enc = new EncoderForward(ctx, config, flat);
  try {
    const text = 'the cat [MASK] on the [MASK] .';
    const got = await fillMask(enc, tok, text, 5);
    const ids = [tok.tokenToId('[CLS]')!, ...tok.encode(text), tok.tokenToId('[SEP]')!];
    expect(got.masks.map((m) => m.position)).toEqual(ids.flatMap((id, i) => (id === tok.tokenToId('[MASK]') ? [i] : [])));
    expect(got.masks).toHaveLength(2);
    expect(got.tokens[0]).toBe('[CLS]');
    const ref = await direct(config, flat, ids, ids.map(() => 0));
    let maxDiff = 0;
    for (const m of got.masks) {
      const p = softmax(ref.logits.subarray(m.position * ref.V, (m.position + 1) * ref.V));
      const best = [...p.keys()].filter((id) => !tok.isSpecial(id)).sort((a, b) => p[b] - p[a]).slice(0, 5);
      expect(m.candidates.map((c) => c.id)).toEqual(best);
      for (const c of m.candidates) maxDiff = Math.max(maxDiff, Math.abs(c.probability - p[c.id]));
      for (let i = 1; i < m.candidates.length; i++) expect(m.candidates[i].probability).toBeLessThanOrEqual(m.candidates[i - 1].probability);
    }
    console.log(`fill-mask vs direct forward: max |Δp| ${maxDiff.toExponential(2)}`);
    expect(maxDiff).toBeLessThan(1e-5);
    expect(got.filled).not.toContain('[MASK]');

    const a = 'the cat sat on the mat .', b = 'a bird sang .';
    const pNext = await nextSentenceProbability(enc, tok, a, b);
    const idsA = tok.encode(a), idsB = tok.encode(b);
    const pairIds = [tok.tokenToId('[CLS]')!, ...idsA, tok.tokenToId('[SEP]')!, ...idsB, tok.tokenToId('[SEP]')!];
    const pairRef = await direct(config, flat, pairIds, pairIds.map((_, i) => (i < idsA.length + 2 ? 0 : 1)));
    expect(Math.abs(pNext - softmax(pairRef.nsp)[0])).toBeLessThan(1e-5);
    expect(pNext).toBeGreaterThan(0);
    expect(pNext).toBeLessThan(1);

    await expect(fillMask(enc, tok, 'no mask here', 5)).rejects.toThrow(/no \[MASK\]/);
  } finally {
    enc.destroy();
  }
});

test('fill-mask refuses a decoder and a text longer than the context', async () => {
  const tok = await trainTokenizer(['a b c d e f g'], { kind: 'wordpiece', vocabSize: 40 });
  const config = encoderConfig({ vocabSize: tok.vocabSize, nLayer: 1, nHead: 1, nEmbd: 8, blockSize: 6, ffWidth: 8, dropout: 0, pooler: false });
  const enc = new EncoderForward(ctx, config, new Float32Array(buildParamLayout(config).totalFloats));
  try {
    await expect(fillMask(enc, tok, 'a b c d e [MASK] g', 3)).rejects.toThrow(/at most 6/);
    await expect(nextSentenceProbability(enc, tok, 'a', 'b')).rejects.toThrow(/mlm\+nsp/);
  } finally {
    enc.destroy();
  }
  expect(() => new EncoderForward(ctx, { ...config, kind: 'decoder' }, new Float32Array(0))).toThrow(/encoder/);
});
