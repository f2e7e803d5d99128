// T5 span corruption against a numpy port of T5's own code (tests/goldens/t5_spans.json, from
// scripts/goldens/make_t5_spans.py): random_spans_helper's lengths and random_spans_noise_mask's
// counts and masks (fed the same shuffled vectors). Then the collator on a synthetic stream:
// input + target give back the original exactly, the shapes T5 computes, and noise density and
// mean span length over many draws.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { batchRng, mulberry32, splitDataset, type TokenDataset } from '../../../src/engine/data';
import { IGNORE_INDEX } from '../../../src/engine/ops/crossentropy';
import { listObjectives, type TrainableObjective } from '../../../src/engine/objectives/index.ts';
import {
  interleaveSpans, randomSpansHelper, randomSpansNoiseMask, roundHalfEven, segmentLengths, spanCorrupt, spanCounts, spanUncorrupt,
} from '../../../src/engine/objectives/t5-noise';
import { t5Lengths } from '../../../src/engine/objectives/t5-span';
import type { Tokenizer } from '../../../src/engine/tokenizers';

interface HelperCase { inputsLength: number; density: number; meanSpan: number; tokensLength: number; targetsLength: number }
interface MaskCase { length: number; density: number; meanSpan: number; noise: number; spans: number; noiseBoundaries: number[]; nonNoiseBoundaries: number[]; mask: number[] }
const golden = JSON.parse(readFileSync(new URL('../../goldens/t5_spans.json', import.meta.url), 'utf8')) as { helper: HelperCase[]; masks: MaskCase[] };

test('round half to even, as tf.round and Python', () => {
  expect([0.5, 1.5, 2.5, 3.5, 2.4, 2.6, 7].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 3, 7]);
});

test("random_spans_helper: T5's tokens and targets lengths for every case (512 -> 568 raw tokens, 114 targets)", () => {
  expect(randomSpansHelper(512, 0.15, 3)).toEqual({ tokensLength: 568, targetsLength: 114 });
  for (const c of golden.helper) {
    expect(randomSpansHelper(c.inputsLength, c.density, c.meanSpan), JSON.stringify(c)).toEqual({ tokensLength: c.tokensLength, targetsLength: c.targetsLength });
  }
  expect(golden.helper.length).toBeGreaterThan(500);
});

test("random_spans_noise_mask: T5's counts, segmentation and mask given the same shuffles", () => {
  for (const c of golden.masks) {
    const what = `length ${c.length} density ${c.density} mean ${c.meanSpan}`;
    expect(spanCounts(c.length, c.density, c.meanSpan), what).toEqual({ noise: c.noise, spans: c.spans });
    const mask = interleaveSpans(c.length, segmentLengths(c.nonNoiseBoundaries), segmentLengths(c.noiseBoundaries));
    expect([...mask], what).toEqual(c.mask);
  }
});

test('our shuffled masks have exactly the counts T5 computes, in non-empty spans starting with kept text', () => {
  const rng = mulberry32(5);
  for (let length = 2; length < 300; length += 7) {
    const mask = randomSpansNoiseMask(length, 0.15, 3, rng);
    const { noise, spans } = spanCounts(length, 0.15, 3);
    expect(mask.length).toBe(length);
    expect(mask.reduce((a, b) => a + b, 0)).toBe(noise);
    let starts = 0;
    for (let i = 0; i < length; i++) if (mask[i] && (i === 0 || !mask[i - 1])) starts++;
    expect(starts).toBe(spans);
    expect(mask[0]).toBe(0);
    expect(mask[length - 1]).toBe(1);
  }
});

test('spanCorrupt / spanUncorrupt: sentinels in order, input + target give the original back', () => {
  const tokens = [10, 11, 12, 13, 14, 15, 16, 17];
  const mask = Uint8Array.of(0, 1, 1, 0, 0, 1, 0, 1);
  const { inputs, targets } = spanCorrupt(tokens, mask, [100, 101, 102], 3);
  expect(inputs).toEqual([10, 100, 13, 14, 101, 16, 102, 3]);
  expect(targets).toEqual([100, 11, 12, 101, 15, 102, 17, 3]);
  expect(spanUncorrupt(inputs, targets, [100, 101, 102], 3)).toEqual(tokens);
  expect(() => spanCorrupt(tokens, mask, [100, 101], 3)).toThrow(/span 3 needs <extra_id_2>, but the tokenizer has 2 sentinels/);
});

describe('the t5-span collator', () => {
  const tokens = Uint16Array.from({ length: 30000 }, (_, i) => 200 + ((i * 7) % 50));
  const ds: TokenDataset = {
    meta: { version: 1, key: 'k', corpusHash: 'c', tokenizerHash: 't', dtype: 'uint16', vocabSize: 250, numTokens: tokens.length, numDocuments: 1, separator: [], shards: [], labels: [] },
    tokens, docStarts: Float64Array.of(0, tokens.length), labels: null,
  };
  const { train } = splitDataset(ds, { kind: 'stream', valFraction: 0.1 });
  // BERT's specials at 0..4, 100 sentinels <extra_id_i> at 10 + i, ordinary ids 200..249.
  const ids: Record<string, number> = { '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, '[MASK]': 4 };
  for (let i = 0; i < 100; i++) ids[`<extra_id_${i}>`] = 10 + i;
  const tok = { vocabSize: 250, tokenToId: (t: string) => ids[t], idToToken: (id: number) => `t${id}`, isSpecial: (id: number) => id < 200 } as unknown as Tokenizer;
  const sentinels = Array.from({ length: 100 }, (_, i) => 10 + i);
  const entry = listObjectives().find((o) => o.id === 't5-span') as TrainableObjective;
  const collator = entry.collator(tok);
  const B = 300, T = 256;
  const { tokensLength: L, targetsLength: G } = t5Lengths(T);
  const b = collator.batch(ds, train, B, T, batchRng(2, 0, 'train'));

  test('the graph shape: seqLen inputs, T5 targets_length decoder positions', () => {
    expect(entry.status).toBe('available');
    expect(entry.batchShape({ batchSize: 4, blockSize: T } as never)).toEqual({ batchSize: 4, seqLen: T, targetLen: G });
    expect(b.input_ids.length).toBe(B * T);
    expect(b.decoder_input_ids.length).toBe(B * G);
    expect(b.labels.length).toBe(B * G);
  });

  test('every row: input + target reconstruct the raw window exactly; teacher forcing; EOS ends both', () => {
    let noise = 0, total = 0, spans = 0;
    for (let r = 0; r < B; r++) {
      const len = b.kvLen[r];
      const inputs = [...b.input_ids.subarray(r * T, r * T + len)];
      expect(len).toBe(T); // T5 sizes the raw window so the corrupted input fills the encoder
      const labels = [...b.labels.subarray(r * G, (r + 1) * G)];
      const targets = labels.filter((v) => v !== IGNORE_INDEX);
      expect(targets.at(-1)).toBe(3);
      expect(inputs.at(-1)).toBe(3);
      const dec = [...b.decoder_input_ids.subarray(r * G, (r + 1) * G)];
      expect(dec[0]).toBe(2);
      expect(dec.slice(1, targets.length)).toEqual(targets.slice(0, -1));
      const original = spanUncorrupt(inputs, targets, sentinels, 3);
      expect(original.length).toBe(L);
      // The stream is 200 + 7i mod 50: each token determines the next.
      expect(original, `row ${r}`).toEqual(Array.from({ length: L }, (_, i) => 200 + ((original[0] - 200 + 7 * i) % 50)));
      // Sentinels <extra_id_0>, <extra_id_1> … in order in both.
      const sIn = inputs.filter((v) => v >= 10 && v < 110);
      expect(sIn).toEqual(sentinels.slice(0, sIn.length));
      expect(targets.filter((v) => v >= 10 && v < 110)).toEqual(sIn);
      noise += targets.length - 1 - sIn.length;
      spans += sIn.length;
      total += L;
    }
    const density = noise / total, meanSpan = noise / spans;
    console.log(`t5-span: density ${density.toFixed(4)}, mean span ${meanSpan.toFixed(3)} over ${B} rows of ${L} tokens`);
    expect(Math.abs(density - 0.15)).toBeLessThan(0.01);
    expect(Math.abs(meanSpan - 3)).toBeLessThan(0.3);
  });

  test('density 0.15 and mean span length 3 over many draws of the mask at lengths 20..600 (span lengths vary)', () => {
    const rng = mulberry32(11);
    const lengths: number[] = [];
    let noise = 0, total = 0;
    for (let d = 0; d < 2000; d++) {
      const L = 20 + rng.int(581);
      const m = randomSpansNoiseMask(L, 0.15, 3, rng);
      noise += m.reduce((a, v) => a + v, 0);
      total += L;
      let run = 0;
      for (let i = 0; i <= L; i++) {
        if (i < L && m[i]) run++;
        else if (run) { lengths.push(run); run = 0; }
      }
    }
    const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    console.log(`t5 masks: density ${(noise / total).toFixed(4)}, mean span ${mean.toFixed(3)} over ${lengths.length} spans`);
    expect(Math.abs(noise / total - 0.15)).toBeLessThan(0.003);
    expect(Math.abs(mean - 3)).toBeLessThan(0.1);
    expect(Math.min(...lengths)).toBe(1);
    expect(Math.max(...lengths)).toBeGreaterThan(6);
  });

  test('a pure function of the rng; too few sentinels refused by name', () => {
    const again = collator.batch(ds, train, B, T, batchRng(2, 0, 'train'));
    for (const k of Object.keys(b)) expect([...again[k]]).toEqual([...b[k]]);
    const few = { ...tok, tokenToId: (t: string) => (/<extra_id_([2-9]|\d\d)>/.test(t) ? undefined : ids[t]) } as unknown as Tokenizer;
    expect(() => entry.collator(few).batch(ds, train, 2, T, batchRng(2, 0, 'train'))).toThrow(/hides \d+ spans, but the tokenizer has 2 sentinels/);
  });

  test('the preview marks sentinels in the input and the target', () => {
    const rows = collator.preview(ds, train, 2, T, batchRng(2, 0, 'train'), tok);
    expect(rows[0].kind).toBe('denoise');
    const r = rows[0] as { inputs: { id: number; mark?: string }[]; targets: { id: number; mark?: string }[] };
    expect(r.inputs.length).toBe(T);
    expect(r.inputs.filter((t) => t.mark === 'sentinel').map((t) => t.id)).toEqual(r.targets.filter((t) => t.mark === 'sentinel').map((t) => t.id));
  });
});
