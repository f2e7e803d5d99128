// Labeled rows as the classification graph's inputs, every row padded to the recorded length T:
//   encoder (BERT):  [CLS] A [SEP] (B [SEP]), token_type_ids 0 for A and 1 for B, kvLen = real
//                    length (keys past it are masked), cls_index = the row's first position
//   decoder (GPT):   A (<|endoftext|> B), cls_index = the last real token (GPT2ForSequenceClassification;
//                    causal attention means the padding after it is never seen)
//   encoder-decoder (BART): the encoder reads [CLS] A [SEP] (B [SEP]) as BERT's rows (no segment ids);
//                    pooling 'cls': the decoder reads one token, [CLS] (its start token in
//                    pretraining), and the head classifies that first decoder position, which
//                    cross-attends over the whole row; pooling 'eos' (BartForSequenceClassification):
//                    the decoder reads the row shifted right behind [CLS] (shift_tokens_right) and the
//                    head classifies its state at the row's last token, the final [SEP] (the config's
//                    eos_token_id), which has read the whole row on both sides
// Truncation is Hugging Face's 'longest_first': one token at a time from the end of the longer text.
import type { ModelKind } from '../model/config';
import { classifyIndex } from '../model/heads/classify';
import type { ClassifyPool } from '../model/heads/spec';
import { CLS, EOS, PAD, SEP, type Tokenizer } from '../tokenizers/index';
import type { MicroBatch } from '../train/step';
import type { LabeledRow, LabelMap } from '../data/labeled';

export interface EncodedRows {
  T: number;
  count: number;
  ids: Uint32Array; // [count, T]
  types: Uint32Array; // [count, T]
  lengths: Uint32Array; // [count]
  labels: Uint32Array; // [count]
  /** Rows whose text was cut to fit T. */
  truncated: number;
  /** Encoder-decoders: the decoder's one input token ([CLS]). */
  decoderStart?: number;
}

/** Decoder positions of a classifier's batch: an encoder-decoder's decoder reads one token, or (pooling 'eos') the whole row. */
export function classifierTargetLen(kind: ModelKind, pool: ClassifyPool): number | undefined {
  return kind === 'encoder-decoder' && pool === 'first' ? 1 : undefined;
}

function specialId(tok: Tokenizer, name: string, why: string): number {
  const id = tok.tokenToId(name);
  if (id === undefined) throw new Error(`the run's tokenizer has no ${name} token, which ${why}`);
  return id;
}

/** Trims a and b (in place) until a.length + b.length <= budget, longest first. */
function longestFirst(a: number[], b: number[] | undefined, budget: number): boolean {
  let cut = false;
  while (a.length + (b?.length ?? 0) > budget) {
    cut = true;
    if (b && b.length > a.length) b.pop();
    else a.pop();
  }
  return cut;
}

export function encodeRows(tok: Tokenizer, kind: ModelKind, rows: readonly LabeledRow[], map: LabelMap, T: number): EncodedRows {
  const n = rows.length;
  const out: EncodedRows = { T, count: n, ids: new Uint32Array(n * T), types: new Uint32Array(n * T), lengths: new Uint32Array(n), labels: new Uint32Array(n), truncated: 0 };
  const encoder = kind !== 'decoder'; // BART's encoder reads rows as BERT's do
  const cls = encoder ? specialId(tok, CLS, 'a BERT classifier reads') : 0;
  const sep = encoder ? specialId(tok, SEP, 'separates sentence pairs') : 0;
  const pad = encoder ? specialId(tok, PAD, 'pads short rows') : 0;
  const eos = !encoder && rows.some((r) => r.pair !== undefined) ? specialId(tok, EOS, 'separates a GPT sentence pair') : 0;
  rows.forEach((r, i) => {
    const label = map.label2id[r.label];
    if (label === undefined) throw new Error(`${r.file}:${r.line}: label '${r.label}' is not one of the model's labels (${map.id2label.join(', ')})`);
    out.labels[i] = label;
    const a = tok.encode(r.text);
    const b = r.pair !== undefined ? tok.encode(r.pair) : undefined;
    const specials = encoder ? (b ? 3 : 2) : b ? 1 : 0;
    if (longestFirst(a, b, T - specials)) out.truncated++;
    const ids = encoder ? [cls, ...a, sep] : [...a];
    const types = ids.map(() => 0);
    if (b) for (const id of encoder ? [...b, sep] : [eos, ...b]) { ids.push(id); types.push(1); }
    if (ids.length === 0) {
      // A text with no tokens (every character unknown to a char tokenizer): one filler token keeps its row.
      ids.push(eos || pad);
      types.push(0);
    }
    out.ids.fill(pad, i * T, (i + 1) * T);
    out.ids.set(ids, i * T);
    out.types.set(kind === 'encoder' ? types : types.map(() => 0), i * T);
    out.lengths[i] = ids.length;
  });
  if (kind === 'encoder-decoder') out.decoderStart = cls;
  return out;
}

/**
 * One micro-batch of B rows (`rows` indexes into `enc`; fewer than B are padded with copies of the
 * first, whose results the caller ignores) with the inputs the model kind's graph records.
 */
export function classifyBatch(enc: EncodedRows, kind: ModelKind, pool: ClassifyPool, rows: readonly number[], B: number): MicroBatch {
  const T = enc.T;
  const pick = Array.from({ length: B }, (_, b) => rows[b] ?? rows[0]);
  const ids = new Uint32Array(B * T);
  const types = new Uint32Array(B * T);
  const lengths = new Uint32Array(B);
  const labels = new Uint32Array(B);
  pick.forEach((r, b) => {
    ids.set(enc.ids.subarray(r * T, (r + 1) * T), b * T);
    types.set(enc.types.subarray(r * T, (r + 1) * T), b * T);
    lengths[b] = enc.lengths[r];
    labels[b] = enc.labels[r];
  });
  if (kind === 'encoder-decoder' && pool === 'last') {
    // shift_tokens_right: position t reads token t - 1, position 0 the start token; the padding
    // after a row's last token is read by positions causal attention keeps from the classified one.
    const decoder = new Uint32Array(B * T);
    for (let b = 0; b < B; b++) {
      decoder[b * T] = enc.decoderStart!;
      decoder.set(ids.subarray(b * T, (b + 1) * T - 1), b * T + 1);
    }
    return { input_ids: ids, kvLen: lengths, decoder_input_ids: decoder, cls_index: classifyIndex('last', T, [...lengths]), class_labels: labels };
  }
  if (kind === 'encoder-decoder') {
    const one = new Array<number>(B).fill(1);
    return { input_ids: ids, kvLen: lengths, decoder_input_ids: new Uint32Array(B).fill(enc.decoderStart!), cls_index: classifyIndex('first', 1, one), class_labels: labels };
  }
  // A mean-pooling head reads the body's kvLen instead and records no cls_index (the extra input is unused).
  const cls_index = classifyIndex(kind === 'decoder' ? 'last' : 'first', T, [...lengths]);
  if (kind === 'decoder') return { idx: ids, cls_index, class_labels: labels };
  return { input_ids: ids, token_type_ids: types, kvLen: lengths, cls_index, class_labels: labels };
}
