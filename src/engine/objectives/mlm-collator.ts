// BERT pretraining batches (masked LM, with or without next-sentence prediction), drawn from a
// split with a caller's Rng (batchRng(seed, draw, split): a resumed run draws the same ones, and
// every step draws fresh masks: dynamic masking, reproducible from the run's seed).
//
// With NSP, rows are built as BERT's create_pretraining_data builds them, from the sentences of
// the corpus's documents (data/text-units.ts):
//   target length: T - 3 tokens of A + B, or with probability 0.1 a shorter one in [2, T - 3]
//   A: consecutive sentences of one document from a random sentence that has a successor, packed
//      up to the target, at least two; the first 1..m-1 of those m sentences form A
//   B: half of the time the rest of them (the true continuation, NSP label 0 "is next"); else
//      sentences of another document from a random one, up to the room A leaves (label 1)
//   too long: the longer segment loses a token until they fit: A from its front, B from its back,
//      so an IsNext pair stays consecutive across the middle [SEP] (BERT picks either end at random)
//   [CLS] A [SEP] B [SEP] [PAD]…, token_type_ids 0 for [CLS] A [SEP], 1 for B [SEP]; kvLen = real length
// Without NSP (RoBERTa's FULL-SENTENCES without the pair): [CLS] S [SEP] [PAD]…, one consecutive
//   span (10% shorter), token_type_ids 0, nsp_labels 0 (the graph has no NSP head).
// Masking, over words when wholeWord is on (all pieces of a word together; Chinese words from
// Intl.Segmenter), else over tokens: each unit is predicted with probability 0.15 (mlm_labels = its
// ids; IGNORE_INDEX elsewhere) and then becomes [MASK] 80% / random tokens 10% / itself 10%.
import { copyRangeOf, textUnits, type DataSplit, type Rng, type TextUnits, type TokenDataset } from '../data';
import { valueAt } from '../data/number-list';
import { IGNORE_INDEX } from '../ops/crossentropy';
import { CLS, MASK, PAD, SEP, type Tokenizer } from '../tokenizers';
import type { MicroBatch } from '../train/step';
import type { BatchPreviewRow } from '../../protocol/commands/batch-preview.ts';
import type { TrainOptions } from '../config/train-config.ts';
import type { Collator } from './types.ts';
import { tokenView } from './preview.ts';
import { pairCount, pairIndex, pairStart, type PairIndex } from './nsp-pairs.ts';

export interface MlmSpecials {
  cls: number;
  sep: number;
  pad: number;
  mask: number;
  /** Random replacements are drawn from ids that are not special tokens. */
  normalIds: Uint32Array;
}

export interface MlmBatchOptions {
  /** [CLS] A [SEP] B [SEP] sentence pairs with NSP labels (needs `units`). */
  pairs: boolean;
  /** Mask whole words (needs `units`); tokens one by one otherwise. */
  wholeWord: boolean;
  /** Sentences and word starts of the dataset; null: token-level masking only, no pairs. */
  units: TextUnits | null;
}

export const MASK_PROBABILITY = 0.15;
const SHORT_ROW_PROBABILITY = 0.1;

export function mlmSpecials(tok: Tokenizer): MlmSpecials {
  const id = (t: string) => {
    const v = tok.tokenToId(t);
    if (v === undefined) throw new Error(`MLM needs the special token ${t}, which this tokenizer lacks`);
    return v;
  };
  const normal: number[] = [];
  for (let i = 0; i < tok.vocabSize; i++) if (!tok.isSpecial(i)) normal.push(i);
  if (normal.length === 0) throw new Error('MLM: the tokenizer has no ordinary tokens');
  return { cls: id(CLS), sep: id(SEP), pad: id(PAD), mask: id(MASK), normalIds: Uint32Array.from(normal) };
}

/** The registry entries' collator: sentence units are computed once per dataset, on first use. */
export function mlmCollator(tok: Tokenizer, pairs: boolean, options?: Pick<TrainOptions, 'wholeWordMask'>): Collator {
  const sp = mlmSpecials(tok);
  const wholeWord = options?.wholeWordMask ?? true;
  const opts = (ds: TokenDataset): MlmBatchOptions => ({ pairs, wholeWord, units: pairs || wholeWord ? textUnits(ds, tok) : null });
  return {
    batch: (ds, split, batchSize, seqLen, rng) => mlmBatch(ds, split, batchSize, seqLen, rng, sp, opts(ds)),
    preview: (ds, split, rows, seqLen, rng) => mlmPreview(mlmBatch(ds, split, rows, seqLen, rng, sp, opts(ds)), rows, seqLen, tok, sp, pairs),
  };
}

export function mlmBatch(ds: TokenDataset, split: DataSplit, batchSize: number, seqLen: number, rng: Rng, sp: MlmSpecials, opts: MlmBatchOptions): MicroBatch {
  if (opts.wholeWord && !opts.units) throw new Error('MLM: whole-word masking needs the word index of the dataset');
  if (!opts.pairs) return mlmSingleBatch(ds, split, batchSize, seqLen, rng, sp, opts);
  const T = seqLen;
  if (T < 5) throw new Error(`MLM batches need blockSize >= 5 ([CLS] A [SEP] B [SEP]); got ${T}`);
  if (!opts.units) throw new Error('MLM+NSP: sentence pairs need the sentence index of the dataset');
  const index = pairIndex(ds, opts.units, split);
  const units = opts.units;
  const ids = new Uint32Array(batchSize * T).fill(sp.pad);
  const types = new Uint32Array(batchSize * T);
  const kvLen = new Uint32Array(batchSize);
  const labels = new Uint32Array(batchSize * T).fill(IGNORE_INDEX);
  const nsp = new Uint32Array(batchSize);
  const starts = new Uint8Array(T);
  const maxTokens = T - 3;
  for (let b = 0; b < batchSize; b++) {
    const target = rng.next() < SHORT_ROW_PROBABILITY ? 2 + rng.int(maxTokens - 1) : maxTokens;
    const pair = drawPair(units, index, target, rng);
    const [, aTo, bFrom] = pair.spans;
    let [aFrom, , , bTo] = pair.spans;
    while (aTo - aFrom + bTo - bFrom > maxTokens) {
      if (aTo - aFrom > bTo - bFrom) aFrom++; else bTo--;
    }
    nsp[b] = pair.isNext ? 0 : 1;
    const row = b * T;
    let t = 0;
    starts.fill(1);
    ids[row + t++] = sp.cls;
    const a = ds.tokens.subarray(aFrom, aTo), bIds = ds.tokens.subarray(bFrom, bTo);
    const aWords = units.wordStart.subarray(aFrom, aTo), bWords = units.wordStart.subarray(bFrom, bTo);
    for (let p = aFrom; p < aTo; p++, t++) { ids[row + t] = a[p - aFrom]; starts[t] = p === aFrom ? 1 : aWords[p - aFrom]; }
    const mid = t;
    ids[row + t++] = sp.sep;
    for (let p = bFrom; p < bTo; p++, t++) { ids[row + t] = bIds[p - bFrom]; starts[t] = p === bFrom ? 1 : bWords[p - bFrom]; }
    ids[row + t++] = sp.sep;
    types.fill(1, row + mid + 1, row + t);
    kvLen[b] = t;
    maskRow(ids, labels, row, t, mid, opts.wholeWord ? starts : null, rng, sp);
  }
  return { input_ids: ids, token_type_ids: types, kvLen, mlm_labels: labels, nsp_labels: nsp };
}

/** Stream spans [aFrom, aTo) and [bFrom, bTo) of one pair, before truncation. */
function drawPair(u: TextUnits, ix: PairIndex, target: number, rng: Rng): { spans: [number, number, number, number]; isNext: boolean } {
  const start = (k: number) => valueAt(u.sentStart, k), stop = (k: number) => valueAt(u.sentEnd, k);
  const { k0, doc } = pairStart(ix, rng.int(pairCount(ix)));
  const end = valueAt(ix.docEnd, doc);
  let k = k0 + 1; // exclusive end of the chunk: at least two sentences
  while (k < end && (k - k0 < 2 || start(k) - start(k0) < target)) k++;
  const m = k - k0;
  const aSentences = 1 + rng.int(m - 1);
  const aFrom = start(k0), aTo = stop(k0 + aSentences - 1);
  if (rng.next() < 0.5) return { spans: [aFrom, aTo, start(k0 + aSentences), stop(k - 1)], isNext: true };
  // Another document (there are at least two), from a random sentence, up to the room A leaves.
  let other = rng.int(ix.docFirst.length - 1);
  if (other >= doc) other++;
  const [otherFirst, otherEnd] = [valueAt(ix.docFirst, other), valueAt(ix.docEnd, other)];
  const first = otherFirst + rng.int(otherEnd - otherFirst);
  const room = Math.max(1, target - (aTo - aFrom));
  let j = first + 1;
  while (j < otherEnd && stop(j - 1) - start(first) < room) j++;
  return { spans: [aFrom, aTo, start(first), stop(j - 1)], isNext: false };
}

/**
 * Selects ~15% of the row's units (whole words where `wordStart` is given, else single tokens)
 * among positions 1..t-2 except `skip` (the middle [SEP]) and corrupts each unit 80/10/10.
 */
function maskRow(ids: Uint32Array, labels: Uint32Array, row: number, t: number, skip: number, wordStart: Uint8Array | null, rng: Rng, sp: MlmSpecials): void {
  let i = 1;
  while (i < t - 1) {
    if (i === skip) { i++; continue; }
    let j = i + 1;
    if (wordStart) while (j < t - 1 && j !== skip && !wordStart[j]) j++;
    if (rng.next() < MASK_PROBABILITY) {
      const r = rng.next();
      for (let p = row + i; p < row + j; p++) {
        labels[p] = ids[p];
        if (r < 0.8) ids[p] = sp.mask;
        else if (r < 0.9) ids[p] = sp.normalIds[rng.int(sp.normalIds.length)];
      }
    }
    i = j;
  }
}

/** Masked LM alone: [CLS] span [SEP] rows of one segment (10% shorter), nsp_labels left 0. */
function mlmSingleBatch(ds: TokenDataset, split: DataSplit, batchSize: number, T: number, rng: Rng, sp: MlmSpecials, opts: MlmBatchOptions): MicroBatch {
  if (T < 3) throw new Error(`MLM batches need blockSize >= 3 ([CLS] S [SEP]); got ${T}`);
  if (split.tokens < T) throw new Error(`MLM: the ${split.name} split has ${split.tokens} tokens, fewer than blockSize ${T}`);
  const ids = new Uint32Array(batchSize * T).fill(sp.pad);
  const labels = new Uint32Array(batchSize * T).fill(IGNORE_INDEX);
  const kvLen = new Uint32Array(batchSize);
  const starts = new Uint8Array(T);
  for (let b = 0; b < batchSize; b++) {
    const room = rng.next() < SHORT_ROW_PROBABILITY ? 1 + rng.int(T - 2) : T - 2;
    const row = b * T;
    const pos = rng.int(split.tokens - room + 1);
    ids[row] = sp.cls;
    copyRangeOf(ds.tokens, split, pos, room, ids, row + 1);
    ids[row + room + 1] = sp.sep;
    kvLen[b] = room + 2;
    if (opts.wholeWord && opts.units) {
      copyRangeOf(opts.units.wordStart, split, pos, room, starts, 1);
      starts[1] = 1; // the span may open mid-word: its first piece starts the row's first unit
    }
    maskRow(ids, labels, row, room + 2, -1, opts.wholeWord ? starts : null, rng, sp);
  }
  return { input_ids: ids, token_type_ids: new Uint32Array(batchSize * T), kvLen, mlm_labels: labels, nsp_labels: new Uint32Array(batchSize) };
}

/** Preview rows of an MLM batch: real tokens only, each selected position marked by how it was corrupted. */
export function mlmPreview(b: MicroBatch, rows: number, T: number, tok: Tokenizer, sp: MlmSpecials, nsp: boolean): BatchPreviewRow[] {
  return Array.from({ length: rows }, (_, r) => {
    const n = b.kvLen[r]; // real length: padding is not shown
    const ids = b.input_ids.subarray(r * T, r * T + n);
    const labels = b.mlm_labels.subarray(r * T, r * T + n);
    return {
      kind: 'mlm' as const,
      inputs: Array.from(ids, (id, i) => {
        const label = labels[i];
        const mark = label === IGNORE_INDEX ? undefined : id === sp.mask ? ('mask' as const) : id === label ? ('kept' as const) : ('random' as const);
        return { ...tokenView(tok, id), ...(mark ? { mark } : {}) };
      }),
      labels: Array.from(labels, (label) => (label === IGNORE_INDEX ? null : tokenView(tok, label))),
      ...(nsp ? { nsp: { isNext: b.nsp_labels[r] === 0 } } : {}),
    };
  });
}
