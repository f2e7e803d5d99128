// What kind of token a vocabulary entry is, for colouring the projector: the tokenizer's specials,
// then by the Unicode scripts and categories of its text. Order matters: a token with any Han
// character is Han (a mixed "猫s" fragment is rare and reads as Chinese); else any Latin letter
// makes it Latin; else all-digit is a digit; else all punctuation or symbols is punctuation.
// What is left (whitespace, a byte-level fragment of a multi-byte character that decodes to
// U+FFFD, another script) is 'other'.

export const TOKEN_CLASSES = ['special', 'han', 'latin', 'digit', 'punctuation', 'other'] as const;
export type TokenClass = (typeof TOKEN_CLASSES)[number];

const HAN = /\p{Script=Han}/u;
const LATIN = /\p{Script=Latin}/u;
const DIGITS = /^\p{Nd}+$/u;
const PUNCT = /^[\p{P}\p{S}]+$/u;

/** `text`: the token as decoded text (WordPiece '##' and byte-level 'Ġ' marks already removed). */
export function tokenClass(text: string, special: boolean): TokenClass {
  if (special) return 'special';
  const t = text.trim();
  if (t.includes('\ufffd')) return 'other'; // part of a multi-byte character: no script yet
  if (HAN.test(t)) return 'han';
  if (LATIN.test(t)) return 'latin';
  if (DIGITS.test(t)) return 'digit';
  if (PUNCT.test(t)) return 'punctuation';
  return 'other';
}
