// Tokenizers: train (char / byte-level BPE / WordPiece), save as HF tokenizer.json, load, encode.
export { trainTokenizer, trainTokenizerWith, type TrainTokenizerOptions, type CountTask } from './train';
export { Tokenizer, type EncodingWithSpecials } from './tokenizer';
export { loadTokenizer, saveTokenizer } from './io';
export { specialTokenList, sentinel, PAD, UNK, CLS, SEP, MASK, EOS, type SpecialTokenOptions } from './specials';
export type { TokenizerJson, TokenizerKind } from './tokenizer-json';
export { sidesOf, type Seq2SeqTokenizers } from './sides';
