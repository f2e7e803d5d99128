// A seq2seq run's two tokenizers: the encoder's (source) and the decoder's (target). A run with one
// joint tokenizer passes the same object for both; the specials have one id on both sides
// (specials.ts), so framing ids ([CLS], [SEP], [PAD]) are looked up on either.
import type { Tokenizer } from './tokenizer';

export interface Seq2SeqTokenizers {
  source: Tokenizer;
  target: Tokenizer;
}

/** Both sides of `tok`: one tokenizer stands for both. */
export function sidesOf(tok: Tokenizer | Seq2SeqTokenizers): Seq2SeqTokenizers {
  return 'source' in tok ? tok : { source: tok, target: tok };
}
