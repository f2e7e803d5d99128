// BART's noise functions one by one (bart-noise.ts) and the bart collator's mix on a stream with
// sentences: Poisson(3) span lengths, the infilling and deletion rates, token masking, sentence
// permutation being a permutation of the window's sentences, rotation being a rotation.
import { describe, expect, test } from 'vitest';
import { batchRng, mulberry32, splitDataset, type TokenDataset } from '../../../src/engine/data';
import { IGNORE_INDEX } from '../../../src/engine/ops/crossentropy';
import { bartNoise, poisson, sentenceOrder, spanLengths, type BartNoise } from '../../../src/engine/objectives/bart-noise';
import { listObjectives, type TrainableObjective } from '../../../src/engine/objectives/index.ts';
import { DEFAULT_TRAIN_OPTIONS, type TrainOptions } from '../../../src/engine/config/train-config';
import { noiseOf } from '../../../src/engine/objectives/bart';
import type { Tokenizer } from '../../../src/engine/tokenizers';

const MASK = 4;
const none: BartNoise = { infill: 0, permute: 0, deletion: 0, tokenMask: 0, rotate: 0 };
const text = Array.from({ length: 200 }, (_, i) => 100 + i); // distinct ids: positions recognisable

/** Runs of consecutive non-kept tokens. */
const runs = (fate: string[]) => fate.filter((f, i) => f === 'span' && (i === 0 || fate[i - 1] !== 'span')).length;

test('Poisson(3): mean and variance 3; span lengths add up to exactly the tokens to hide', () => {
  const rng = mulberry32(1);
  const xs = Array.from({ length: 40000 }, () => poisson(rng, 3));
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  expect(Math.abs(mean - 3)).toBeLessThan(0.05);
  expect(Math.abs(variance - 3)).toBeLessThan(0.1);
  expect(Math.abs(xs.filter((x) => x === 0).length / xs.length - Math.exp(-3))).toBeLessThan(0.005); // P(0) = e^-3: insertions
  for (let total = 1; total < 100; total += 3) expect(spanLengths(total, rng).reduce((a, b) => a + b, 0)).toBe(total);
});

test('text infilling: about 30% hidden (never more than ceil(0.3 n)), one [MASK] per span, zero-length spans insert one', () => {
  const rng = mulberry32(2);
  let hidden = 0, total = 0, inserted = 0;
  for (let d = 0; d < 500; d++) {
    const r = bartNoise(text, [0], { ...none, infill: 0.3 }, MASK, rng);
    const h = r.fate.filter((f) => f === 'span').length;
    expect(h).toBeLessThanOrEqual(Math.ceil(0.3 * text.length));
    expect(r.source.filter((v) => v === MASK).length).toBe(runs(r.fate) + r.inserted);
    expect(r.source.filter((v) => v !== MASK)).toEqual(text.filter((_, i) => r.fate[i] === 'kept'));
    hidden += h; total += text.length; inserted += r.inserted;
  }
  console.log(`bart infilling: ${(hidden / total).toFixed(4)} hidden, ${(inserted / 500).toFixed(2)} insertions per row`);
  // Spans start at distinct places but may overlap, so slightly under 30%.
  expect(hidden / total).toBeGreaterThan(0.26);
  expect(hidden / total).toBeLessThanOrEqual(0.3);
  expect(inserted).toBeGreaterThan(0);
});

test('token deletion removes exactly round(n · p) tokens, the rest in order', () => {
  const rng = mulberry32(3);
  for (let d = 0; d < 50; d++) {
    const r = bartNoise(text, [0], { ...none, deletion: 0.1 }, MASK, rng);
    expect(r.source.length).toBe(text.length - 20);
    expect(r.fate.filter((f) => f === 'deleted').length).toBe(20);
    expect(r.source).toEqual(text.filter((_, i) => r.fate[i] === 'kept'));
  }
});

test('token masking replaces exactly round(n · p) tokens by [MASK] in place', () => {
  const rng = mulberry32(4);
  const r = bartNoise(text, [0], { ...none, tokenMask: 0.15 }, MASK, rng);
  expect(r.source.length).toBe(text.length);
  expect(r.source.filter((v) => v === MASK).length).toBe(30);
  r.source.forEach((v, i) => expect(v).toBe(r.fate[i] === 'masked' ? MASK : text[i]));
});

test('sentence permutation is a permutation of the sentences; ceil(S · p) of them move at most', () => {
  const rng = mulberry32(5);
  const starts = [0, 13, 40, 41, 77, 120, 150, 199];
  const sentences = [...starts, 200].slice(1).map((end, k) => text.slice(starts[k], end));
  let moved = 0;
  for (let d = 0; d < 200; d++) {
    const r = bartNoise(text, starts, { ...none, permute: 1 }, MASK, rng);
    expect([...r.order].sort((a, b) => a - b)).toEqual(sentences.map((_, k) => k));
    expect(r.source).toEqual(r.order.flatMap((k) => sentences[k]));
    if (r.order.some((k, i) => k !== i)) moved++;
  }
  expect(moved).toBeGreaterThan(195);
  for (let d = 0; d < 200; d++) {
    const order = sentenceOrder(10, 0.3, rng);
    expect(order.filter((k, i) => k !== i).length).toBeLessThanOrEqual(3);
    expect([...order].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  }
  expect(sentenceOrder(1, 1, rng)).toEqual([0]);
});

test('document rotation starts the text at a random token', () => {
  const rng = mulberry32(6);
  const seen = new Set<number>();
  for (let d = 0; d < 100; d++) {
    const r = bartNoise(text, [0], { ...none, rotate: 1 }, MASK, rng);
    expect(r.rotation).toBeGreaterThan(0);
    expect(r.source).toEqual([...text.slice(r.rotation), ...text.slice(0, r.rotation)]);
    seen.add(r.rotation);
  }
  expect(seen.size).toBeGreaterThan(50);
  expect(bartNoise(text, [0], { ...none, rotate: 0 }, MASK, rng).rotation).toBe(0);
});

describe('the bart collator: the configured mix on a stream with sentences', () => {
  // ids 10..59 counting up; id 19 reads ". " so that a sentence ends after every 19.
  const tokens = Uint16Array.from({ length: 20000 }, (_, i) => 10 + (i % 50));
  const docs: TokenDataset = {
    meta: { version: 1, key: 'k', corpusHash: 'c', tokenizerHash: 't', dtype: 'uint16', vocabSize: 60, numTokens: tokens.length, numDocuments: 40, separator: [], shards: [], labels: [] },
    tokens, docStarts: Float64Array.from({ length: 41 }, (_, i) => i * 500), labels: null,
  };
  const { train } = splitDataset(docs, { kind: 'documents', valFraction: 0.1, seed: 1 });
  const tok = {
    kind: 'char', vocabSize: 60,
    tokenToId: (t: string) => ({ '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, '[MASK]': 4 } as Record<string, number>)[t],
    idToToken: (id: number) => (id === 19 ? '. ' : `W${id} `), isSpecial: (id: number) => id < 10,
  } as unknown as Tokenizer;
  const bart = listObjectives().find((o) => o.id === 'bart') as TrainableObjective;
  const B = 200, T = 120;
  const opts = (o: Partial<TrainOptions>) => ({ bartInfill: 0, bartPermute: 0, bartDelete: 0, bartTokenMask: 0, bartRotate: 0, ...o }) as TrainOptions;
  const rowsOf = (o: Partial<TrainOptions>) => {
    const b = bart.collator(tok, opts(o)).batch(docs, train, B, T, batchRng(7, 0, 'train'));
    return Array.from({ length: B }, (_, r) => ({
      source: [...b.input_ids.subarray(r * T + 1, r * T + b.kvLen[r] - 1)],
      text: [...b.labels.subarray(r * T, r * T + T - 2)],
      dec: [...b.decoder_input_ids.subarray(r * T, (r + 1) * T)],
      labels: [...b.labels.subarray(r * T, (r + 1) * T)].filter((v) => v !== IGNORE_INDEX),
    }));
  };

  test('permutation only: the source is the window\'s sentences (cut after each ". ") in another order', () => {
    let reordered = 0;
    for (const row of rowsOf({ bartPermute: 1 })) {
      expect(row.dec[0]).toBe(2);
      expect(row.labels.at(-1)).toBe(3);
      const pieces = (xs: number[]) => {
        const out: string[] = [];
        let cur: number[] = [];
        // Cut after each 19, and between 59 and 10 where documents may join (a finer cut than the
        // sentence index's still tiles the source if the source is a permutation of sentences).
        xs.forEach((v, i) => {
          if (v === 10 && xs[i - 1] === 59 && cur.length) { out.push(cur.join(',')); cur = []; }
          cur.push(v);
          if (v === 19) { out.push(cur.join(',')); cur = []; }
        });
        if (cur.length) out.push(cur.join(','));
        return out;
      };
      // The source's sentences are the text's (the cut ones at the window's edges included).
      const textPieces = pieces(row.text);
      expect(row.source.length).toBe(row.text.length);
      // Tile the source with the text's pieces, each used once (backtracking: one piece can be
      // a prefix of another).
      const tile = (at: number, pool: string[]): string[] | null => {
        if (at === row.source.length) return pool.length === 0 ? [] : null;
        for (let i = 0; i < pool.length; i++) {
          const p = pool[i].split(',').map(Number);
          if (row.source.slice(at, at + p.length).join(',') !== pool[i]) continue;
          const rest = tile(at + p.length, [...pool.slice(0, i), ...pool.slice(i + 1)]);
          if (rest) return [pool[i], ...rest];
        }
        return null;
      };
      const again = tile(0, textPieces);
      expect(again, `source ${row.source.join(',')} text ${row.text.join(',')}`).not.toBeNull();
      if (again!.join('|') !== textPieces.join('|')) reordered++;
    }
    expect(reordered).toBeGreaterThan(B * 0.9);
  });

  test('the default mix is BART-large\'s (30% infilled, sentences permuted); deletion and masking mix in', () => {
    expect(noiseOf(DEFAULT_TRAIN_OPTIONS)).toEqual({ infill: 0.3, permute: 1, deletion: 0, tokenMask: 0, rotate: 0 });
    expect(bart.collator(tok).batch(docs, train, 2, T, batchRng(7, 0, 'train')).input_ids.length).toBe(2 * T);
    let deleted = 0, total = 0, masks = 0;
    for (const row of rowsOf({ bartDelete: 0.1, bartTokenMask: 0.1 })) {
      deleted += row.text.length - row.source.length;
      masks += row.source.filter((v) => v === 4).length;
      total += row.text.length;
      // What is left is the text in order, with gaps (greedy subsequence match).
      let at = 0;
      for (const v of row.source.filter((x) => x !== 4)) { while (at < row.text.length && row.text[at] !== v) at++; expect(at).toBeLessThan(row.text.length); at++; }
    }
    expect(deleted / total).toBeCloseTo(Math.round(0.1 * (T - 2)) / (T - 2), 6);
    expect(masks / total).toBeCloseTo(Math.round(0.1 * (T - 2)) / (T - 2), 6);
  });
});
