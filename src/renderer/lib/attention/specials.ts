// Which tokens are "special" (hidden on request in the attention views). A tokenizer knows its own
// specials; the text list below is the fallback for tokens that arrive without that flag.

export const SPECIAL_TOKEN_TEXTS: ReadonlySet<string> = new Set([
  '[CLS]', '[SEP]', '[PAD]', '[BOS]', '[EOS]', '<s>', '</s>', '<pad>', '<bos>', '<eos>', '<|endoftext|>',
]);

export interface MaybeSpecial {
  text: string;
  special?: boolean; // set by the tokenizer for added/special tokens
}

export function isSpecial(token: MaybeSpecial | string): boolean {
  if (typeof token === 'string') return SPECIAL_TOKEN_TEXTS.has(token);
  return token.special ?? SPECIAL_TOKEN_TEXTS.has(token.text);
}

/** Indices of the tokens to keep: all of them, or all but the specials. */
export function keptIndices(tokens: readonly (MaybeSpecial | string)[], hideSpecials: boolean): number[] {
  const kept: number[] = [];
  tokens.forEach((t, i) => {
    if (!hideSpecials || !isSpecial(t)) kept.push(i);
  });
  return kept;
}
