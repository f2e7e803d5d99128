// BERT pretraining batches (masked LM, with or without next-sentence prediction), drawn from a
// split's token stream with a caller's Rng (batchRng(seed, draw, split): a resumed run draws the
// same ones). Per row, as BERT's create_pretraining_data does it (segments are token spans here,
// not sentences):
//   [CLS] A [SEP] B [SEP] [PAD]…   A, B: consecutive spans (NSP label 0, "is next") or, half of the
//                                  time, B from a random place (label 1); 10% of rows are shorter
//   token_type_ids 0 for [CLS] A [SEP], 1 for B [SEP]; kvLen = real length (the key padding mask)
//   without NSP (RoBERTa's FULL-SENTENCES without the pair): [CLS] S [SEP] [PAD]…, one consecutive
//                                  span, token_type_ids 0, nsp_labels 0 (the graph has no NSP head)
//   masking: each non-special position with probability 0.15 is predicted (mlm_labels = its id;
//   IGNORE_INDEX elsewhere) and its input becomes [MASK] 80% / a random token 10% / itself 10%.
import { copyRange, type DataSplit, type Rng, type TokenDataset } from '../data';
import { IGNORE_INDEX } from '../ops/crossentropy';
import { CLS, MASK, PAD, SEP, type Tokenizer } from '../tokenizers';
import type { MicroBatch } from '../train/step';
import type { BatchPreviewRow } from '../../protocol/commands/batch-preview.ts';
import { tokenView } from './preview.ts';

export interface MlmSpecials {
  cls: number;
  sep: number;
  pad: number;
  mask: number;
  /** Random replacements are drawn from ids that are not special tokens. */
  normalIds: Uint32Array;
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

export function mlmBatch(ds: TokenDataset, split: DataSplit, batchSize: number, seqLen: number, rng: Rng, sp: MlmSpecials, pairs = true): MicroBatch {
  const T = seqLen;
  if (!pairs) return mlmSingleBatch(ds, split, batchSize, T, rng, sp);
  if (T < 5) throw new Error(`MLM batches need blockSize >= 5 ([CLS] A [SEP] B [SEP]); got ${T}`);
  if (split.tokens < T) throw new Error(`MLM: the ${split.name} split has ${split.tokens} tokens, fewer than blockSize ${T}`);
  const ids = new Uint32Array(batchSize * T).fill(sp.pad);
  const types = new Uint32Array(batchSize * T);
  const kvLen = new Uint32Array(batchSize);
  const labels = new Uint32Array(batchSize * T).fill(IGNORE_INDEX);
  const nsp = new Uint32Array(batchSize);
  const span = new Uint32Array(T);
  for (let b = 0; b < batchSize; b++) {
    const room = rng.next() < SHORT_ROW_PROBABILITY ? 2 + rng.int(T - 4) : T - 3; // tokens of A + B
    const lenA = 1 + rng.int(room - 1);
    const lenB = room - lenA;
    copyRange(ds, split, rng.int(split.tokens - room + 1), room, span, 0);
    const random = rng.next() < 0.5;
    if (random) copyRange(ds, split, rng.int(split.tokens - lenB + 1), lenB, span, lenA);
    nsp[b] = random ? 1 : 0;
    const row = b * T;
    let t = 0;
    ids[row + t++] = sp.cls;
    for (let i = 0; i < lenA; i++) ids[row + t++] = span[i];
    ids[row + t++] = sp.sep;
    const bStart = t;
    for (let i = 0; i < lenB; i++) ids[row + t++] = span[lenA + i];
    ids[row + t++] = sp.sep;
    types.fill(1, row + bStart, row + t);
    kvLen[b] = t;
    maskRow(ids, labels, row, t, bStart - 1, rng, sp);
  }
  return { input_ids: ids, token_type_ids: types, kvLen, mlm_labels: labels, nsp_labels: nsp };
}

/** Selects ~15% of the row's non-special positions (not 0, t-1 or `skip`) and corrupts them 80/10/10. */
function maskRow(ids: Uint32Array, labels: Uint32Array, row: number, t: number, skip: number, rng: Rng, sp: MlmSpecials): void {
  for (let i = 1; i < t - 1; i++) {
    if (i === skip) continue; // the middle [SEP]
    if (rng.next() >= MASK_PROBABILITY) continue;
    labels[row + i] = ids[row + i];
    const r = rng.next();
    if (r < 0.8) ids[row + i] = sp.mask;
    else if (r < 0.9) ids[row + i] = sp.normalIds[rng.int(sp.normalIds.length)];
  }
}

/** Masked LM alone: [CLS] span [SEP] rows of one segment (10% shorter), nsp_labels left 0. */
function mlmSingleBatch(ds: TokenDataset, split: DataSplit, batchSize: number, T: number, rng: Rng, sp: MlmSpecials): MicroBatch {
  if (T < 3) throw new Error(`MLM batches need blockSize >= 3 ([CLS] S [SEP]); got ${T}`);
  if (split.tokens < T) throw new Error(`MLM: the ${split.name} split has ${split.tokens} tokens, fewer than blockSize ${T}`);
  const ids = new Uint32Array(batchSize * T).fill(sp.pad);
  const labels = new Uint32Array(batchSize * T).fill(IGNORE_INDEX);
  const kvLen = new Uint32Array(batchSize);
  for (let b = 0; b < batchSize; b++) {
    const room = rng.next() < SHORT_ROW_PROBABILITY ? 1 + rng.int(T - 2) : T - 2;
    const row = b * T;
    ids[row] = sp.cls;
    copyRange(ds, split, rng.int(split.tokens - room + 1), room, ids, row + 1);
    ids[row + room + 1] = sp.sep;
    kvLen[b] = room + 2;
    maskRow(ids, labels, row, room + 2, -1, rng, sp);
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
