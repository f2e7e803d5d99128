// BERT pretraining batches (masked LM + next-sentence prediction), drawn from a split's token
// stream with a caller's Rng (batchRng(seed, draw, split): a resumed run draws the same ones).
// Per row, as BERT's create_pretraining_data does it (segments are token spans here, not sentences):
//   [CLS] A [SEP] B [SEP] [PAD]…   A, B: consecutive spans (NSP label 0, "is next") or, half of the
//                                  time, B from a random place (label 1); 10% of rows are shorter
//   token_type_ids 0 for [CLS] A [SEP], 1 for B [SEP]; kvLen = real length (the key padding mask)
//   masking: each non-special position with probability 0.15 is predicted (mlm_labels = its id;
//   IGNORE_INDEX elsewhere) and its input becomes [MASK] 80% / a random token 10% / itself 10%.
import { copyRange, type DataSplit, type Rng, type TokenDataset } from '../data';
import { IGNORE_INDEX } from '../ops/crossentropy';
import { CLS, MASK, PAD, SEP, type Tokenizer } from '../tokenizers';
import type { MicroBatch } from '../train/step';

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

export function mlmBatch(ds: TokenDataset, split: DataSplit, batchSize: number, seqLen: number, rng: Rng, sp: MlmSpecials): MicroBatch {
  const T = seqLen;
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
    for (let i = 1; i < t - 1; i++) {
      if (i === bStart - 1) continue; // the middle [SEP]
      if (rng.next() >= MASK_PROBABILITY) continue;
      labels[row + i] = ids[row + i];
      const r = rng.next();
      if (r < 0.8) ids[row + i] = sp.mask;
      else if (r < 0.9) ids[row + i] = sp.normalIds[rng.int(sp.normalIds.length)];
    }
  }
  return { input_ids: ids, token_type_ids: types, kvLen, mlm_labels: labels, nsp_labels: nsp };
}
