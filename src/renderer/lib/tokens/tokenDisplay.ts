// How a token is shown on a chip. Tokenizers hide whitespace in their vocabularies (GPT-2's
// byte-level 'Ġ', SentencePiece's '▁', WordPiece's '##' continuation) and byte-level BPE spells
// non-ASCII text as one printable character per byte ('ä¸Ń' is the first bytes of '中'): make the
// spaces visible, decode the bytes, and show a token that holds part of a character as its bytes.

/** A token as the tokenizer produced it. */
export interface TokenView {
  id: number;
  text: string; // the vocabulary string (e.g. 'Ġthe', '##ing', '▁世界', '<0x0A>', '[CLS]')
  special?: boolean; // added/special token ([CLS], <|endoftext|>, sentinels, …)
}

export type TokenScheme = 'byte-level' | 'sentencepiece' | 'wordpiece' | 'plain';

export type ChipKind = 'normal' | 'special' | 'continuation' | 'bytes';

export interface ChipDisplay {
  label: string; // what the chip shows, whitespace made visible
  kind: ChipKind;
  title: string; // tooltip / accessible description: the raw vocabulary string and id
}

const VISIBLE_WHITESPACE: Record<string, string> = { ' ': '␣', '\n': '↵', '\t': '⇥', '\r': '␍' };

export function showWhitespace(text: string): string {
  return text.replace(/[ \n\t\r]/g, (c) => VISIBLE_WHITESPACE[c] ?? c);
}

// GPT-2's bytes_to_unicode(): printable bytes map to themselves, the other 68 to U+0100 onwards.
let byteDecoder: Map<string, number> | null = null;
function byteLevelTable(): Map<string, number> {
  if (byteDecoder) return byteDecoder;
  const printable = (b: number): boolean => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  byteDecoder = new Map();
  let next = 0;
  for (let b = 0; b < 256; b++) {
    byteDecoder.set(String.fromCodePoint(printable(b) ? b : 256 + next++), b);
  }
  return byteDecoder;
}

/** The bytes a byte-level BPE token stands for, or null when it is not byte-level text. */
export function byteLevelBytes(text: string): Uint8Array | null {
  const table = byteLevelTable();
  const bytes: number[] = [];
  for (const ch of text) {
    const b = table.get(ch);
    if (b === undefined) return null;
    bytes.push(b);
  }
  return Uint8Array.from(bytes);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const hex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');

export function displayToken(token: TokenView, scheme: TokenScheme = 'plain'): ChipDisplay {
  const title = `${JSON.stringify(token.text)} · id ${token.id}`;
  if (token.special) return { label: token.text, kind: 'special', title };
  const byteFallback = /^<0x([0-9A-Fa-f]{2})>$/.exec(token.text); // SentencePiece byte fallback
  if (byteFallback) {
    const b = parseInt(byteFallback[1], 16);
    const label = b < 0x80 ? showWhitespace(String.fromCharCode(b)) : `⟨${byteFallback[1].toUpperCase()}⟩`;
    return { label, kind: b < 0x80 ? 'normal' : 'bytes', title };
  }
  if (scheme === 'byte-level') {
    const bytes = byteLevelBytes(token.text);
    if (bytes) {
      try {
        return { label: showWhitespace(utf8.decode(bytes)), kind: 'normal', title };
      } catch {
        return { label: `⟨${hex(bytes)}⟩`, kind: 'bytes', title }; // part of a multi-byte character
      }
    }
  }
  if (scheme === 'wordpiece' && token.text.startsWith('##') && token.text.length > 2) {
    return { label: showWhitespace(token.text.slice(2)), kind: 'continuation', title };
  }
  if (scheme === 'sentencepiece') return { label: showWhitespace(token.text.replaceAll('▁', ' ')), kind: 'normal', title };
  return { label: showWhitespace(token.text), kind: 'normal', title };
}
