// The collators of the registry's entries on a synthetic stream (ids 10..59 counting up, so a
// consecutive span is recognisable): masked LM alone (one segment, no NSP), BART text infilling
// (spans behind single [MASK]s, the whole text as the decoder's teacher-forced target), and each
// trainable entry's batch carrying exactly its graph's inputs.
import { describe, expect, test } from 'vitest';
import { batchRng, splitDataset, type TokenDataset } from '../../../src/engine/data';
import { IGNORE_INDEX } from '../../../src/engine/ops/crossentropy';
import { listObjectives, type TrainableObjective } from '../../../src/engine/objectives/index.ts';
import { mlmBatch, type MlmSpecials } from '../../../src/engine/objectives/mlm-collator';
import { t5Lengths } from '../../../src/engine/objectives/t5-span';
import type { Tokenizer } from '../../../src/engine/tokenizers';
import type { TrainOptions } from '../../../src/engine/config/train-config';

const sp: MlmSpecials = { pad: 0, cls: 2, sep: 3, mask: 4, normalIds: Uint32Array.from({ length: 50 }, (_, i) => 10 + i) };
const tokens = Uint16Array.from({ length: 20000 }, (_, i) => 10 + (i % 50));
const ds: TokenDataset = {
  meta: { version: 1, key: 'k', corpusHash: 'c', tokenizerHash: 't', dtype: 'uint16', vocabSize: 60, numTokens: tokens.length, numDocuments: 1, separator: [], shards: [], labels: [] },
  tokens, docStarts: Float64Array.of(0, tokens.length), labels: null,
};
const { train } = splitDataset(ds, { kind: 'stream', valFraction: 0.1 });
const next = (id: number) => 10 + ((id - 10 + 1) % 50);

/** Just what the collators ask of a tokenizer: BERT's specials at 0..4, three T5 sentinels at 5..7, ordinary ids 10..59. */
const tok = {
  vocabSize: 60,
  tokenToId: (t: string) => ({ '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, '[MASK]': 4, '<extra_id_0>': 5, '<extra_id_1>': 6, '<extra_id_2>': 7 } as Record<string, number>)[t],
  idToToken: (id: number) => `t${id}`,
  isSpecial: (id: number) => id < 10,
} as unknown as Tokenizer;

const trainable = (id: string) => listObjectives().find((o) => o.id === id) as TrainableObjective;

describe('mlm (no NSP)', () => {
  const B = 300, T = 20;
  const b = mlmBatch(ds, train, B, T, batchRng(3, 0, 'train'), sp, { pairs: false, wholeWord: false, units: null });

  test('rows are [CLS] one consecutive span [SEP] then padding, one segment, no NSP label', () => {
    for (let r = 0; r < B; r++) {
      const len = b.kvLen[r];
      const row = [...b.input_ids.subarray(r * T, (r + 1) * T)];
      const original = row.map((v, i) => (b.mlm_labels[r * T + i] === IGNORE_INDEX ? v : b.mlm_labels[r * T + i]));
      expect(row[0]).toBe(sp.cls);
      expect(row[len - 1]).toBe(sp.sep);
      expect(row.slice(len).every((v) => v === sp.pad)).toBe(true);
      for (let i = 2; i < len - 1; i++) expect(original[i]).toBe(next(original[i - 1]));
    }
    expect(b.token_type_ids.every((v) => v === 0)).toBe(true);
    expect(b.nsp_labels.every((v) => v === 0)).toBe(true);
    let predicted = 0, positions = 0;
    for (let r = 0; r < B; r++) for (let i = 1; i < b.kvLen[r] - 1; i++) { positions++; if (b.mlm_labels[r * T + i] !== IGNORE_INDEX) predicted++; }
    expect(predicted / positions).toBeGreaterThan(0.13);
    expect(predicted / positions).toBeLessThan(0.17);
  });
});

describe('bart (text infilling)', () => {
  const B = 300, T = 24;
  // Infilling alone (bart-noise.test.ts covers the other noises and the mix).
  const collator = trainable('bart').collator(tok, { bartInfill: 0.3, bartPermute: 0, bartDelete: 0, bartTokenMask: 0, bartRotate: 0 } as TrainOptions);
  const b = collator.batch(ds, train, B, T, batchRng(9, 0, 'train'));

  test('the decoder reads [CLS] + the text and must write the text + [SEP]; the encoder reads it with spans behind [MASK]', () => {
    let hidden = 0, total = 0, masks = 0;
    for (let r = 0; r < B; r++) {
      const o = r * T;
      const labels = [...b.labels.subarray(o, o + T)];
      const dec = [...b.decoder_input_ids.subarray(o, o + T)];
      expect(labels[T - 2]).toBe(sp.sep); // T - 2 text tokens, so that [CLS] text [SEP] fits the encoder unshortened
      expect(labels[T - 1]).toBe(IGNORE_INDEX);
      expect(dec[0]).toBe(sp.cls);
      expect(dec.slice(1, T - 1)).toEqual(labels.slice(0, T - 2)); // teacher forcing: the target shifted right
      for (let i = 1; i < T - 2; i++) expect(labels[i]).toBe(next(labels[i - 1])); // one consecutive span of the stream
      const len = b.kvLen[r];
      const src = [...b.input_ids.subarray(o, o + len)];
      expect(src[0]).toBe(sp.cls);
      expect(src[len - 1]).toBe(sp.sep);
      expect([...b.input_ids.subarray(o + len, o + T)].every((v) => v === sp.pad)).toBe(true);
      // The unmasked source tokens are the text in order, with gaps where spans were hidden.
      const kept = src.slice(1, -1).filter((v) => v !== sp.mask);
      let at = 0;
      for (const v of kept) { while (labels[at] !== v) at++; at++; }
      masks += src.filter((v) => v === sp.mask).length;
      hidden += T - 2 - kept.length;
      total += T - 2;
    }
    console.log(`bart: ${hidden}/${total} tokens hidden behind ${masks} masks`);
    expect(hidden / total).toBeGreaterThan(0.2);
    expect(hidden / total).toBeLessThan(0.4);
    expect(masks).toBeLessThan(hidden); // spans: fewer masks than hidden tokens
  });

  test('a pure function of the rng', () => {
    const again = collator.batch(ds, train, B, T, batchRng(9, 0, 'train'));
    for (const k of Object.keys(b)) expect([...again[k]]).toEqual([...b[k]]);
  });
});

test('each trainable entry draws exactly the inputs its graph records, of the recorded lengths', () => {
  const inputs: Record<string, Record<string, number>> = {
    decoder: { idx: 4 * 16, targets: 4 * 16 },
    encoder: { input_ids: 4 * 16, token_type_ids: 4 * 16, kvLen: 4, mlm_labels: 4 * 16, nsp_labels: 4 },
    'encoder-decoder': { input_ids: 4 * 16, kvLen: 4, decoder_input_ids: 4 * 16, labels: 4 * 16 },
  };
  const entries = listObjectives().filter((o): o is TrainableObjective => o.status === 'available');
  expect(entries.map((e) => e.id)).toEqual(['clm', 'mlm', 'mlm+nsp', 'bart', 't5-span', 'seq2seq']);
  // Span corruption's decoder is T5's targets_length long, not the encoder's.
  const t5Target = 4 * t5Lengths(16).targetsLength;
  const t5Inputs = { input_ids: 4 * 16, kvLen: 4, decoder_input_ids: t5Target, labels: t5Target };
  // NSP pairs sentences of different documents: 40 documents of 500 tokens, a sentence ending
  // at every id 19 (the fake tokenizer's "." ); word boundaries at every space.
  const docs: TokenDataset = { ...ds, meta: { ...ds.meta, numDocuments: 40 }, docStarts: Float64Array.from({ length: 41 }, (_, i) => i * 500) };
  const docSplit = splitDataset(docs, { kind: 'documents', valFraction: 0.1, seed: 1 }).train;
  const textTok = { ...tok, kind: 'char', idToToken: (id: number) => (id === 19 ? '. ' : `W${id} `) } as unknown as Tokenizer;
  // Paired rows (seq2seq): 40 documents "source [SEP] target".
  const pairTokens = Uint16Array.from({ length: 40 * 9 }, (_, i) => (i % 9 === 4 ? 3 : 10 + (i % 9)));
  const pairs: TokenDataset = { ...docs, tokens: pairTokens, meta: { ...docs.meta, numTokens: pairTokens.length }, docStarts: Float64Array.from({ length: 41 }, (_, i) => i * 9) };
  const pairSplit = splitDataset(pairs, { kind: 'documents', valFraction: 0.1, seed: 1 }).train;
  for (const e of entries) {
    const b = e.paired ? e.collator(textTok).batch(pairs, pairSplit, 4, 16, batchRng(1, 0, 'train')) : e.collator(textTok).batch(docs, docSplit, 4, 16, batchRng(1, 0, 'train'));
    expect(Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v.length])), e.id).toEqual(e.id === 't5-span' ? t5Inputs : inputs[e.modelKind]);
    const shape = e.batchShape({ batchSize: 4, blockSize: 16 } as never);
    expect(b.decoder_input_ids?.length ?? b.idx?.length ?? b.input_ids.length, e.id).toBe(4 * (shape.targetLen ?? shape.seqLen));
  }
});
