// Batched greedy decoding (seq2seq-batch.ts) against greedy search over the KV-cached decoder one
// source at a time (seq2seq-decoder.ts, itself checked against the uncached reference): the same
// tokens and scores for sources of different lengths, rows that stop at EOS at different steps,
// batches smaller than the list (slots reused, a last partial batch), on the golden BART and on
// the golden with separate source and target vocabularies.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GpuContext } from '../../../src/engine/gpu/device';
import { Seq2SeqBatchDecoder } from '../../../src/engine/generate/seq2seq-batch';
import { Seq2SeqDecoder } from '../../../src/engine/generate/seq2seq-decoder';
import { greedySearch, type Hypothesis } from '../../../src/engine/generate/seq2seq-search';
import { loadGolden } from '../model/goldens';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await GpuContext.open();
});
afterAll(() => ctx?.destroy());

/** Sources of lengths 2..blockSize drawn from a fixed stream of ids in [1, V). */
function sources(n: number, V: number, blockSize: number): number[][] {
  let s = 12345;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
  return Array.from({ length: n }, (_, i) => Array.from({ length: 2 + (i * 5) % (blockSize - 1) }, () => 1 + (next() % (V - 1))));
}

for (const name of ['bart', 'bart_vocab2']) {
  test(`${name}: batched greedy decoding gives each source's one-by-one greedy tokens and scores`, async () => {
    const g = loadGolden(name);
    const cfg = g.cfg;
    const maxLength = cfg.blockSize - 1;
    const srcs = sources(7, cfg.vocabSize, cfg.blockSize);
    const one = new Seq2SeqDecoder(ctx, cfg, g.flatParams);
    const batch = new Seq2SeqBatchDecoder(ctx, cfg, g.flatParams, undefined, 3);
    try {
      // An EOS the model does write early for some sources and late or never for others.
      const probe = await greedySearch(one.nextFor(srcs[0], maxLength + 1), { start: 1, eos: -1, maxLength });
      const eos = probe.tokens[2];
      const o = { start: 1, eos, maxLength };
      const expected: Hypothesis[] = [];
      for (const s of srcs) expected.push(await greedySearch(one.nextFor(s, maxLength + 1), o));
      const got = await batch.greedy(srcs, o);
      expect(got.map((h) => h.tokens)).toEqual(expected.map((h) => h.tokens));
      const worst = Math.max(...got.map((h, i) => Math.abs(h.score - expected[i].score)));
      const lengths = expected.map((h) => h.tokens.length);
      console.log(`${name}: ${srcs.length} sources in batches of 3, output lengths ${lengths.join(' ')}, worst |score difference| ${worst.toExponential(2)}`);
      expect(new Set(lengths).size).toBeGreaterThan(1); // rows finished at different steps
      expect(worst).toBeLessThan(1e-4);
      // A second call (other batch sizes, slots reused) gives the same.
      const again = await batch.greedy(srcs.slice(1, 6), o);
      expect(again.map((h) => h.tokens)).toEqual(expected.slice(1, 6).map((h) => h.tokens));
    } finally {
      one.destroy();
      batch.destroy();
    }
  });
}

test('batched greedy refuses what the model cannot read, naming the source', async () => {
  const g = loadGolden('bart');
  const batch = new Seq2SeqBatchDecoder(ctx, g.cfg, g.flatParams);
  try {
    await expect(batch.greedy([[1, 2], Array(g.cfg.blockSize + 1).fill(3)], { start: 1, eos: 2, maxLength: 4 })).rejects.toThrow(/source 1 is 12 tokens/);
    await expect(batch.greedy([[1, 2]], { start: 1, eos: 2, maxLength: g.cfg.blockSize })).rejects.toThrow(/needs 12 decoder positions/);
  } finally {
    batch.destroy();
  }
});
