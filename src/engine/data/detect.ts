// Encoding and binary detection from a file's first bytes.
// Why our own rules rather than a statistical detector (chardet & co.): we accept exactly UTF-8
// (with or without BOM; a few invalid bytes are replaced and reported), UTF-16 (a BOM, or
// recognised by its zero bytes or what it decodes to) and GB18030 (a superset of GBK/GB2312). UTF-8 validity
// is decisive: multi-byte GBK text essentially never validates as UTF-8, so "valid UTF-8 → UTF-8,
// else decodes cleanly as GB18030 with mostly Han characters → GB18030, else undecodable" is
// exact for the encodings we claim, and a general detector would only add guesses (Big5,
// Shift_JIS, EUC-KR, Latin-1) that we would then decode wrongly without saying so.
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

export type Encoding = 'utf8' | 'utf16le' | 'utf16be' | 'gb18030';

export type Detection =
  | { ok: true; encoding: Encoding; bomLength: number }
  | { ok: false; code: 'binary' | 'undecodable'; offset: number; message: string };

export const SAMPLE_BYTES = 64 * 1024;

/** Length of the prefix of `b` that ends on a UTF-8 character boundary (drops a cut-off tail). */
export function utf8BoundaryLength(b: Uint8Array): number {
  let i = b.length;
  for (let back = 0; back < 4 && i > 0; back++) {
    const x = b[i - 1];
    if (x < 0x80) return b.length; // ASCII last: complete
    if (x >= 0xc0) { // lead byte: complete only if its sequence fits
      const need = x >= 0xf0 ? 4 : x >= 0xe0 ? 3 : 2;
      return b.length - (i - 1) >= need ? b.length : i - 1;
    }
    i--;
  }
  return b.length;
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const x = b[i];
    if (x < 0x80) { i++; continue; }
    const need = x >= 0xc2 && x <= 0xdf ? 1 : x >= 0xe0 && x <= 0xef ? 2 : x >= 0xf0 && x <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    if (i + need >= b.length) return -1; // cut off at the end of the buffer, not (yet) invalid
    for (let k = 1; k <= need; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    const y = b[i + 1]; // overlong forms, UTF-16 surrogates, code points above U+10FFFF
    if ((x === 0xe0 && y < 0xa0) || (x === 0xed && y >= 0xa0) || (x === 0xf0 && y < 0x90) || (x === 0xf4 && y >= 0x90)) return i;
    i += need + 1;
  }
  return -1;
}

/** Han ideographs plus CJK punctuation and full-width forms: what GBK text is made of. */
function isCjk(cp: number): boolean {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xff00 && cp <= 0xffef);
}

/**
 * UTF-16 without a BOM: ASCII-range text has a zero byte in every other position; other text is
 * judged by what it decodes to (letters, CJK, punctuation and spaces, no lone surrogates). Tried
 * before GB18030: UTF-16 Chinese can decode as GBK, while GBK (bytes >= 0x81) read as UTF-16
 * gives Hangul, surrogates and private-use code points, which this refuses.
 */
function sniffUtf16(sample: Uint8Array, byContent: boolean): 'utf16le' | 'utf16be' | null {
  const n = sample.length & ~1;
  if (n < 4) return null;
  const pairs = n / 2;
  if (!byContent) {
    let zeroEven = 0, zeroOdd = 0;
    for (let i = 0; i < n; i += 2) { if (sample[i] === 0) zeroEven++; if (sample[i + 1] === 0) zeroOdd++; }
    if (zeroOdd > 0.3 * pairs && zeroEven < 0.02 * pairs) return 'utf16le';
    if (zeroEven > 0.3 * pairs && zeroOdd < 0.02 * pairs) return 'utf16be';
    return null;
  }
  // Text other than Latin (Chinese, say) has a byte >= 0x80 in most code units; ASCII text read as
  // UTF-16 looks like CJK (0x4E00–0x7A7A) but has none, and is refused here.
  let high = 0;
  for (let i = 0; i < n; i++) if (sample[i] >= 0x80 || sample[i] === 0) high++;
  if (high < 0.2 * n) return null;
  for (const enc of ['utf16le', 'utf16be'] as const) {
    let good = 0;
    for (let i = 0; i < n; i += 2) {
      const u = enc === 'utf16le' ? sample[i] | (sample[i + 1] << 8) : (sample[i] << 8) | sample[i + 1];
      if (isCjk(u) || (u >= 0x20 && u < 0x7f) || u === 0x0a || u === 0x0d || u === 0x09 || (u >= 0xa0 && u < 0x250) || (u >= 0x2000 && u < 0x2070)) good++;
    }
    if (good >= 0.95 * pairs) return enc;
  }
  return null;
}

/** Invalid UTF-8 sequences in `b` (each counts once; a cut-off last one when `complete`). */
function countInvalidUtf8(b: Uint8Array, complete: boolean): number {
  let count = 0, pos = 0;
  for (;;) {
    const k = firstInvalidUtf8(b.subarray(pos));
    if (k < 0) return count + (complete && utf8BoundaryLength(b) < b.length ? 1 : 0);
    count++;
    pos += k + 1;
  }
}

/** `complete`: the sample is the whole file (so a cut-off last character is a real error). */
export function detectEncoding(sample: Uint8Array, complete: boolean): Detection {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { ok: true, encoding: 'utf8', bomLength: 3 };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { ok: true, encoding: 'utf16le', bomLength: 2 };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { ok: true, encoding: 'utf16be', bomLength: 2 };
  const utf16 = sniffUtf16(sample, false);
  if (utf16) return { ok: true, encoding: utf16, bomLength: 0 };
  const whole = complete ? sample : sample.subarray(0, utf8BoundaryLength(sample));
  const valid = isUtf8(whole);
  // Before the binary test: UTF-16 Chinese has control bytes among its low bytes. Not for valid
  // UTF-8, which it would only misread.
  const utf16Text = valid ? null : sniffUtf16(sample, true);
  if (utf16Text) return { ok: true, encoding: utf16Text, bomLength: 0 };

  // Binary: more than 5% control bytes other than \t \n \v \f \r and ESC (random bytes have
  // ~10%, text almost none). A few NULs or stray controls in text do not make it binary: lines.ts
  // removes them and says where.
  let controls = 0, firstControl = -1, firstNul = -1;
  for (let i = 0; i < sample.length; i++) {
    const x = sample[i];
    if ((x < 0x20 && !(x >= 0x09 && x <= 0x0d) && x !== 0x1b) || x === 0x7f) {
      controls++;
      if (firstControl < 0) firstControl = i;
      if (x === 0 && firstNul < 0) firstNul = i;
    }
  }
  if (sample.length > 0 && controls / sample.length > 0.05) {
    if (firstNul >= 0) return { ok: false, code: 'binary', offset: firstNul, message: `NUL byte at offset ${firstNul} and ${controls} control bytes in the first ${sample.length}: this looks like a binary file, not text` };
    return { ok: false, code: 'binary', offset: firstControl, message: `${controls} control bytes in the first ${sample.length}: this looks like a binary file, not text` };
  }

  if (valid) return { ok: true, encoding: 'utf8', bomLength: 0 };

  const text = iconv.decode(Buffer.from(whole), 'gb18030');
  let bad = 0, nonAscii = 0, han = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0xfffd) bad++;
    if (cp >= 0x80) { nonAscii++; if (isCjk(cp)) han++; }
  }
  // A final character cut off by the sample's end may decode as U+FFFD; allow that one.
  if (bad <= (complete ? 0 : 1) && nonAscii > 0 && han / nonAscii >= 0.6) return { ok: true, encoding: 'gb18030', bomLength: 0 };

  // UTF-8 with a few bad bytes (a damaged download, a file cut mid-character): read as UTF-8;
  // lines.ts replaces them by U+FFFD and reports each line. Many bad bytes mean another encoding.
  const invalid = countInvalidUtf8(whole, complete);
  if (invalid <= Math.max(1, whole.length / 1000)) return { ok: true, encoding: 'utf8', bomLength: 0 };

  const offset = firstInvalidUtf8(whole);
  return {
    ok: false, code: 'undecodable', offset: Math.max(0, offset),
    message: `invalid UTF-8 at byte ${Math.max(0, offset)} (${invalid} invalid sequences in the first ${whole.length} bytes), and the text is not GB18030/GBK Chinese or UTF-16 either; save it as UTF-8`,
  };
}
