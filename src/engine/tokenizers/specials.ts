// The special tokens every objective needs, in one place so that ids are stable across kinds:
// specials always take ids 0..k-1, in this order, before any learned token.
//   [PAD] [UNK] [CLS] [SEP] [MASK]   BERT (MLM + NSP, classification on [CLS])
//   <|endoftext|>                    GPT document separator / BOS / EOS
//   <extra_id_0> … <extra_id_{n-1}>  T5 span-corruption sentinels

export const PAD = '[PAD]';
export const UNK = '[UNK]';
export const CLS = '[CLS]';
export const SEP = '[SEP]';
export const MASK = '[MASK]';
export const EOS = '<|endoftext|>';

export function sentinel(i: number): string {
  return `<extra_id_${i}>`;
}

export interface SpecialTokenOptions {
  /** Include [PAD] [UNK] [CLS] [SEP] [MASK] (default true). */
  bert?: boolean;
  /** Include <|endoftext|> (default true). */
  eos?: boolean;
  /** Number of T5 sentinels <extra_id_i> (default 16). */
  sentinels?: number;
}

/** The ordered list of special tokens; a tokenizer gives them ids 0..k-1. */
export function specialTokenList(opts: SpecialTokenOptions = {}): string[] {
  const list: string[] = [];
  if (opts.bert ?? true) list.push(PAD, UNK, CLS, SEP, MASK);
  if (opts.eos ?? true) list.push(EOS);
  const n = opts.sentinels ?? 16;
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw new Error(`specials: sentinels must be an integer in [0, 1000], got ${n}`);
  for (let i = 0; i < n; i++) list.push(sentinel(i));
  return list;
}
