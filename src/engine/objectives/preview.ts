// Token views for batch previews: an id as the tokenizer shows it, flagged when special.
import type { Tokenizer } from '../tokenizers/index.ts';

export interface TokenView {
  id: number;
  text: string;
  special?: true;
}

export function tokenView(tok: Tokenizer, id: number): TokenView {
  return { id, text: tok.idToToken(id) ?? `<${id}>`, ...(tok.isSpecial(id) ? { special: true as const } : {}) };
}
