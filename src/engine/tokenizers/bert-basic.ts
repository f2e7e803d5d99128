// BERT's BasicTokenizer as Hugging Face tokenizers' `BertNormalizer` + `BertPreTokenizer` do it:
// drop control characters, map whitespace to ' ', put spaces around every CJK ideograph (so each
// Chinese character becomes its own word), optionally lowercase and strip accents, then split on
// whitespace and isolate every punctuation character.

// Ranges of BERT's _is_chinese_char (CJK Unified Ideographs and extensions, compatibility).
export function isChineseChar(cp: number): boolean {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) || (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

const CONTROL = /^[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Cn}]$/u;
const WHITESPACE = /^\s$/u;
const MARK_NONSPACING = /\p{Mn}/gu;

export interface BertNormalizeOptions {
  lowercase: boolean;
}

export function bertNormalize(text: string, opts: BertNormalizeOptions): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0 || cp === 0xfffd) continue;
    if (ch !== '\t' && ch !== '\n' && ch !== '\r' && CONTROL.test(ch)) continue;
    if (ch === '\t' || ch === '\n' || ch === '\r' || WHITESPACE.test(ch)) { out += ' '; continue; }
    out += isChineseChar(cp) ? ` ${ch} ` : ch;
  }
  if (opts.lowercase) out = out.toLowerCase().normalize('NFD').replace(MARK_NONSPACING, '');
  return out;
}

// ASCII punctuation (which includes $ + < = > ^ ` | ~) plus every Unicode P* category.
const PUNCT = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const BERT_WORD = new RegExp(`[^\\s${PUNCT}]+|[${PUNCT}]`, 'gu');

export function bertPreTokenize(normalized: string): string[] {
  return normalized.match(BERT_WORD) ?? [];
}
