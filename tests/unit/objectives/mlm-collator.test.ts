// The BERT batch collator on a synthetic corpus whose token ids are their stream positions (id =
// 10 + position), so every token of a row says where it came from: NSP pairs are checked to be
// consecutive sentences of one document (IsNext) or from two documents (NotNext), balanced;
// whole-word masking never splits a word and hits 15% of words, 80/10/10; everything is a pure
// function of the run seed's draw.
import { describe, expect, test } from 'vitest';
import { batchRng, mulberry32, splitDataset, type TextUnits, type TokenDataset } from '../../../src/engine/data';
import { IGNORE_INDEX } from '../../../src/engine/ops/crossentropy';
import { mlmBatch, type MlmSpecials } from '../../../src/engine/objectives/mlm-collator';

const N = 60000;
const sp: MlmSpecials = { pad: 0, cls: 2, sep: 3, mask: 4, normalIds: Uint32Array.from({ length: N }, (_, i) => 10 + i) };
const tokens = Uint32Array.from({ length: N }, (_, i) => 10 + i);
const posOf = (id: number) => id - 10;

// 300 documents of 1..12 sentences of 2..20 tokens; words of 1..4 tokens.
const gen = mulberry32(7);
const docStarts = [0], sentStart: number[] = [], sentEnd: number[] = [], docSentences = [0];
const wordStart = new Uint8Array(N);
const docOfPos = new Int32Array(N);
const sentenceStartAt = new Uint8Array(N);
let at = 0;
for (let d = 0; at < N; d++) {
  const n = 1 + gen.int(12);
  for (let s = 0; s < n && at < N; s++) {
    const len = Math.min(2 + gen.int(19), N - at);
    sentStart.push(at); sentEnd.push(at + len); sentenceStartAt[at] = 1;
    for (let p = at; p < at + len; p++) docOfPos[p] = d;
    for (let p = at; p < at + len; p += 1 + gen.int(4)) wordStart[p] = 1;
    at += len;
  }
  docStarts.push(at); docSentences.push(sentStart.length);
}
const units: TextUnits = { sentStart: Float64Array.from(sentStart), sentEnd: Float64Array.from(sentEnd), docSentences: Int32Array.from(docSentences), wordStart };
const ds: TokenDataset = {
  meta: { version: 1, key: 'k', corpusHash: 'c', tokenizerHash: 't', dtype: 'uint32', vocabSize: N + 10, numTokens: N, numDocuments: docStarts.length - 1, separator: [], shards: [], labels: [] },
  tokens, docStarts: Float64Array.from(docStarts), labels: null,
};
const { train } = splitDataset(ds, { kind: 'documents', valFraction: 0.1, seed: 3 });

/** A row's original ids (masked positions restored from their labels) and its segments. */
function rowOf(b: ReturnType<typeof mlmBatch>, r: number, T: number) {
  const len = b.kvLen[r];
  const ids = [...b.input_ids.subarray(r * T, r * T + len)];
  const labels = [...b.mlm_labels.subarray(r * T, r * T + len)];
  const original = ids.map((v, i) => (labels[i] === IGNORE_INDEX ? v : labels[i]));
  const mid = original.indexOf(sp.sep);
  return { len, ids, labels, original, mid, a: original.slice(1, mid), b: original.slice(mid + 1, len - 1) };
}

describe('NSP pairs from sentences', () => {
  const B = 2000, T = 48;
  const batch = mlmBatch(ds, train, B, T, batchRng(5, 0, 'train'), sp, { pairs: true, wholeWord: true, units });

  test('[CLS] A [SEP] B [SEP] padding, segment ids, key lengths; some rows shorter (short targets, document ends)', () => {
    let short = 0;
    for (let r = 0; r < B; r++) {
      const { len, original, mid } = rowOf(batch, r, T);
      const types = [...batch.token_type_ids.subarray(r * T, (r + 1) * T)];
      expect(original[0]).toBe(sp.cls);
      expect(mid).toBeGreaterThan(1);
      expect(original[len - 1]).toBe(sp.sep);
      expect(len - 1).toBeGreaterThan(mid + 1); // B has a token
      expect(types.slice(0, mid + 1).every((v) => v === 0)).toBe(true);
      expect(types.slice(mid + 1, len).every((v) => v === 1)).toBe(true);
      expect([...batch.input_ids.subarray(r * T + len, (r + 1) * T)].every((v) => v === sp.pad)).toBe(true);
      if (len < T - 6) short++;
    }
    expect(short / B).toBeGreaterThan(0.04);
    expect(short / B).toBeLessThan(0.6);
  });

  test('balanced labels; IsNext: B continues A at a sentence start of the same document; NotNext: another document', () => {
    let isNext = 0;
    for (let r = 0; r < B; r++) {
      const { a, b } = rowOf(batch, r, T);
      const pa = a.map(posOf), pb = b.map(posOf);
      // Each segment is a consecutive run of one document.
      for (const seg of [pa, pb]) for (let i = 1; i < seg.length; i++) expect(seg[i]).toBe(seg[i - 1] + 1);
      expect(docOfPos[pa[0]]).toBe(docOfPos[pa.at(-1)!]);
      expect(docOfPos[pb[0]]).toBe(docOfPos[pb.at(-1)!]);
      expect(sentenceStartAt[pb[0]]).toBe(1);
      expect(sentenceStartAt[pa.at(-1)! + 1] === 1 || pa.at(-1)! + 1 === N).toBe(true); // A ends at a sentence end
      if (batch.nsp_labels[r] === 0) {
        isNext++;
        expect(pb[0]).toBe(pa.at(-1)! + 1);
        expect(docOfPos[pb[0]]).toBe(docOfPos[pa[0]]);
      } else {
        expect(docOfPos[pb[0]]).not.toBe(docOfPos[pa[0]]);
      }
    }
    expect(isNext / B).toBeGreaterThan(0.46);
    expect(isNext / B).toBeLessThan(0.54);
  });

  test('pairs use only the split\'s documents', () => {
    const inTrain = new Set(train.documents);
    for (let r = 0; r < B; r++) {
      const { a, b } = rowOf(batch, r, T);
      expect(inTrain.has(docOfPos[posOf(a[0])])).toBe(true);
      expect(inTrain.has(docOfPos[posOf(b[0])])).toBe(true);
    }
  });

  test('a corpus of one-sentence documents is refused with a clear message', () => {
    const flat: TextUnits = { ...units, sentStart: Float64Array.from(docStarts.slice(0, -1)), sentEnd: Float64Array.from(docStarts.slice(1)), docSentences: Int32Array.from(docStarts.map((_, i) => i)) };
    const fresh = splitDataset(ds, { kind: 'documents', valFraction: 0.1, seed: 4 }).train;
    expect(() => mlmBatch(ds, fresh, 4, T, batchRng(1, 0, 'train'), sp, { pairs: true, wholeWord: false, units: flat }))
      .toThrow(/none of the \d+ document\(s\) of the train split has two or more sentences.*train 'mlm' without NSP/s);
    const one = { ...ds, meta: { ...ds.meta, numDocuments: 1 }, docStarts: Float64Array.of(0, N) };
    const oneUnits: TextUnits = { ...units, docSentences: Int32Array.of(0, sentStart.length) };
    const single = splitDataset(one, { kind: 'stream', valFraction: 0.1 }).train;
    expect(() => mlmBatch(one, single, 4, T, batchRng(1, 0, 'train'), sp, { pairs: true, wholeWord: false, units: oneUnits }))
      .toThrow(/single document, so there is no other document/);
  });
});

describe('whole-word masking', () => {
  const T = 48;
  for (const pairs of [true, false]) {
    test(`${pairs ? 'pairs' : 'single spans'}: never splits a word; 15% of words; 80/10/10 per word`, () => {
      let words = 0, predicted = 0, masked = 0, kept = 0, replaced = 0;
      for (let draw = 0; draw < 6; draw++) {
        const b = mlmBatch(ds, train, 500, T, batchRng(11, draw, 'train'), sp, { pairs, wholeWord: true, units });
        for (let r = 0; r < 500; r++) {
          const { len, ids, labels, original, mid } = rowOf(b, r, T);
          // Units of the row: a word, cut where a segment starts (a truncated front opens mid-word).
          let unit: number[] = [];
          const close = () => {
            if (unit.length === 0) return;
            words++;
            const hit = unit.map((i) => labels[i] !== IGNORE_INDEX);
            expect(new Set(hit).size, `row ${r}: word ${unit} partly masked`).toBe(1);
            if (hit[0]) {
              predicted++;
              if (unit.every((i) => ids[i] === sp.mask)) masked++;
              else if (unit.every((i) => ids[i] === original[i])) kept++;
              else { replaced++; expect(unit.some((i) => ids[i] === sp.mask)).toBe(false); }
            }
            unit = [];
          };
          for (let i = 1; i < len - 1; i++) {
            if (pairs && i === mid) { close(); continue; }
            const first = i === 1 || (pairs && i === mid + 1);
            if (first || wordStart[posOf(original[i])]) close();
            unit.push(i);
          }
          close();
        }
      }
      console.log(`whole words (${pairs ? 'pairs' : 'spans'}): ${predicted}/${words} predicted; mask ${masked}, random ${replaced}, kept ${kept}`);
      expect(predicted / words).toBeGreaterThan(0.14);
      expect(predicted / words).toBeLessThan(0.16);
      expect(masked / predicted).toBeGreaterThan(0.77);
      expect(masked / predicted).toBeLessThan(0.83);
      expect(replaced / predicted).toBeGreaterThan(0.08);
      expect(replaced / predicted).toBeLessThan(0.12);
      expect(kept / predicted).toBeGreaterThan(0.08);
      expect(kept / predicted).toBeLessThan(0.12);
    });
  }

  test('token masking (wholeWord off) picks 15% of tokens and does split words', () => {
    const b = mlmBatch(ds, train, 1000, T, batchRng(2, 0, 'train'), sp, { pairs: true, wholeWord: false, units });
    let positions = 0, predicted = 0, split = 0;
    for (let r = 0; r < 1000; r++) {
      const { len, labels, original, mid } = rowOf(b, r, T);
      for (let i = 1; i < len - 1; i++) {
        if (i === mid) continue;
        positions++;
        if (labels[i] !== IGNORE_INDEX) predicted++;
        const cont = i + 1 < len - 1 && i + 1 !== mid && !wordStart[posOf(original[i + 1])];
        if (cont && (labels[i] === IGNORE_INDEX) !== (labels[i + 1] === IGNORE_INDEX)) split++;
      }
    }
    expect(predicted / positions).toBeGreaterThan(0.14);
    expect(predicted / positions).toBeLessThan(0.16);
    expect(split).toBeGreaterThan(100);
  });

  test('masks are dynamic and reproducible: the same seed and step give the same batch, another step another', () => {
    const opts = { pairs: true, wholeWord: true, units };
    const one = mlmBatch(ds, train, 64, T, batchRng(5, 3, 'train'), sp, opts);
    const again = mlmBatch(ds, train, 64, T, batchRng(5, 3, 'train'), sp, opts);
    for (const k of Object.keys(one)) expect([...again[k]]).toEqual([...one[k]]);
    const next = mlmBatch(ds, train, 64, T, batchRng(5, 4, 'train'), sp, opts);
    expect([...next.mlm_labels]).not.toEqual([...one.mlm_labels]);
    const otherSeed = mlmBatch(ds, train, 64, T, batchRng(6, 3, 'train'), sp, opts);
    expect([...otherSeed.input_ids]).not.toEqual([...one.input_ids]);
  });
});
