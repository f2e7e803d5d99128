// The BERT batch collator on a synthetic token stream: layout ([CLS] A [SEP] B [SEP] [PAD]…),
// segment ids, key lengths, NSP labels about half "random", and masking at 15% split 80/10/10.
import { describe, expect, test } from 'vitest';
import { batchRng, splitDataset, type TokenDataset } from '../../../src/engine/data';
import { IGNORE_INDEX } from '../../../src/engine/ops/crossentropy';
import { mlmBatch, type MlmSpecials } from '../../../src/engine/objectives/mlm-collator';

// Specials 0..4 as our tokenizers lay them out; ordinary tokens 10..59 count up the stream, so a
// consecutive span is recognisable (each id is the previous + 1, wrapping at 60).
const sp: MlmSpecials = { pad: 0, cls: 2, sep: 3, mask: 4, normalIds: Uint32Array.from({ length: 50 }, (_, i) => 10 + i) };
const tokens = Uint16Array.from({ length: 20000 }, (_, i) => 10 + (i % 50));
const ds: TokenDataset = {
  meta: { version: 1, key: 'k', corpusHash: 'c', tokenizerHash: 't', dtype: 'uint16', vocabSize: 60, numTokens: tokens.length, numDocuments: 1, separator: [], shards: [], labels: [] },
  tokens, docStarts: Float64Array.of(0, tokens.length), labels: null,
};
const { train } = splitDataset(ds, { kind: 'stream', valFraction: 0.1 });

describe('mlmBatch', () => {
  const B = 400, T = 24;
  const batch = mlmBatch(ds, train, B, T, batchRng(5, 0, 'train'), sp);
  const ids = batch.input_ids, types = batch.token_type_ids, kvLen = batch.kvLen, labels = batch.mlm_labels, nsp = batch.nsp_labels;

  test('rows are [CLS] A [SEP] B [SEP] then padding, with segment ids and key lengths', () => {
    let short = 0;
    for (let b = 0; b < B; b++) {
      const row = (a: Uint32Array) => [...a.subarray(b * T, (b + 1) * T)];
      const r = row(ids), ty = row(types), len = kvLen[b];
      if (len < T) short++;
      expect(r[0]).toBe(sp.cls);
      expect(r[len - 1]).toBe(sp.sep);
      const seps = r.slice(0, len).flatMap((v, i) => (v === sp.sep && labels[b * T + i] === IGNORE_INDEX ? [i] : []));
      expect(seps[0]).toBeGreaterThan(1); // A has at least one token
      expect(seps.at(-1)).toBe(len - 1);
      const mid = seps[0];
      expect(ty.slice(0, mid + 1).every((v) => v === 0)).toBe(true);
      expect(ty.slice(mid + 1, len).every((v) => v === 1)).toBe(true);
      expect(r.slice(len).every((v) => v === sp.pad)).toBe(true);
      expect(ty.slice(len).every((v) => v === 0)).toBe(true);
      // Unmasked B directly after A continues the stream when the label says "is next".
      const original = (i: number) => (labels[b * T + i] === IGNORE_INDEX ? r[i] : labels[b * T + i]);
      if (nsp[b] === 0) expect((original(mid - 1) - 10 + 1) % 50).toBe(original(mid + 1) - 10);
    }
    expect(short / B).toBeGreaterThan(0.04);
    expect(short / B).toBeLessThan(0.18);
    const random = nsp.reduce((a, v) => a + v, 0) / B;
    expect(random).toBeGreaterThan(0.42);
    expect(random).toBeLessThan(0.58);
  });

  test('15% of ordinary positions are predicted: 80% [MASK], 10% random, 10% kept', () => {
    let positions = 0, predicted = 0, masked = 0, kept = 0, replaced = 0;
    for (let b = 0; b < B; b++) {
      for (let i = 1; i < kvLen[b] - 1; i++) {
        const at = b * T + i;
        if (labels[at] === IGNORE_INDEX && ids[at] === sp.sep) continue;
        positions++;
        if (labels[at] === IGNORE_INDEX) continue;
        predicted++;
        expect(labels[at]).toBeGreaterThanOrEqual(10);
        if (ids[at] === sp.mask) masked++;
        else if (ids[at] === labels[at]) kept++;
        else replaced++;
      }
    }
    console.log(`mlm: ${predicted}/${positions} predicted; mask ${masked}, random ${replaced}, kept ${kept}`);
    expect(predicted / positions).toBeGreaterThan(0.13);
    expect(predicted / positions).toBeLessThan(0.17);
    expect(masked / predicted).toBeGreaterThan(0.75);
    expect(masked / predicted).toBeLessThan(0.85);
    expect(replaced / predicted).toBeGreaterThan(0.06); // a random replacement can equal the original
    expect(kept / predicted).toBeGreaterThan(0.06);
    for (let i = 0; i < ids.length; i++) expect(labels[i] === IGNORE_INDEX || labels[i] < 60).toBe(true);
  });

  test('a pure function of the rng: the same draw gives the same batch', () => {
    const again = mlmBatch(ds, train, B, T, batchRng(5, 0, 'train'), sp);
    for (const k of Object.keys(batch)) expect(Buffer.from(again[k].buffer).equals(Buffer.from(batch[k].buffer))).toBe(true);
    const other = mlmBatch(ds, train, B, T, batchRng(5, 1, 'train'), sp);
    expect(Buffer.from(other.input_ids.buffer).equals(Buffer.from(ids.buffer))).toBe(false);
  });
});
