// GPT-2's byte-level pre-tokenization: split text with GPT-2's regex, then map every UTF-8 byte
// to a printable character (bytes_to_unicode), so that BPE works on bytes yet vocab entries stay
// readable strings. Identical to the `ByteLevel` pre-tokenizer of Hugging Face tokenizers
// (add_prefix_space false, use_regex true) for text whose whitespace is ASCII or common Unicode.

/** GPT-2's pre-tokenization pattern (tiktoken "r50k"); JS `u` flag gives \p{L} / \p{N}. */
export const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

function buildByteMaps(): { byteToChar: string[]; charToByte: Map<string, number> } {
  // Printable Latin-1 bytes map to themselves; the rest are shifted to 256+n (openai/gpt-2 encoder.py).
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const byteToChar = new Array<string>(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    byteToChar[b] = printable.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + n++);
  }
  const charToByte = new Map<string, number>();
  byteToChar.forEach((c, b) => charToByte.set(c, b));
  return { byteToChar, charToByte };
}

export const { byteToChar: BYTE_TO_CHAR, charToByte: CHAR_TO_BYTE } = buildByteMaps();

const utf8 = new TextEncoder();

/** Text → byte-level pre-tokens (each a string of mapped byte characters). */
export function byteLevelPreTokenize(text: string): string[] {
  const words = text.match(GPT2_PATTERN) ?? [];
  return words.map(mapBytes);
}

// ASCII fast path: one table lookup per character instead of a UTF-8 encode per word.
const ASCII_TO_CHAR = Array.from({ length: 128 }, (_, b) => BYTE_TO_CHAR[b]);

export function mapBytes(word: string): string {
  let ascii = '';
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 128) return mapBytesUtf8(word);
    ascii += ASCII_TO_CHAR[c];
  }
  return ascii;
}

function mapBytesUtf8(word: string): string {
  const bytes = utf8.encode(word);
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += BYTE_TO_CHAR[bytes[i]];
  return s;
}

/** Mapped byte characters → the bytes they stand for (characters outside the map: their UTF-8). */
export function unmapBytes(tokens: string[], out: number[]): void {
  for (const t of tokens) {
    let ok = true;
    const start = out.length;
    for (const c of t) {
      const b = CHAR_TO_BYTE.get(c);
      if (b === undefined) { ok = false; break; }
      out.push(b);
    }
    if (!ok) {
      out.length = start;
      for (const b of utf8.encode(t)) out.push(b);
    }
  }
}
