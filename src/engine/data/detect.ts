// Encoding and binary detection from a file's first bytes.
// Why our own rules rather than a statistical detector (chardet & co.): we accept exactly UTF-8
// (with or without BOM), UTF-16 with a BOM and GB18030 (a superset of GBK/GB2312). UTF-8 validity
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

/** `complete`: the sample is the whole file (so a cut-off last character is a real error). */
export function detectEncoding(sample: Uint8Array, complete: boolean): Detection {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { ok: true, encoding: 'utf8', bomLength: 3 };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { ok: true, encoding: 'utf16le', bomLength: 2 };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { ok: true, encoding: 'utf16be', bomLength: 2 };

  // Binary: any NUL, or more than 10% control bytes other than \t \n \v \f \r and ESC.
  let controls = 0, firstControl = -1;
  for (let i = 0; i < sample.length; i++) {
    const x = sample[i];
    if (x === 0) return { ok: false, code: 'binary', offset: i, message: `NUL byte at offset ${i}: this looks like a binary file, not text` };
    if ((x < 0x20 && !(x >= 0x09 && x <= 0x0d) && x !== 0x1b) || x === 0x7f) { controls++; if (firstControl < 0) firstControl = i; }
  }
  if (sample.length > 0 && controls / sample.length > 0.1) {
    return { ok: false, code: 'binary', offset: firstControl, message: `${controls} control bytes in the first ${sample.length}: this looks like a binary file, not text` };
  }

  const whole = complete ? sample : sample.subarray(0, utf8BoundaryLength(sample));
  if (isUtf8(whole)) return { ok: true, encoding: 'utf8', bomLength: 0 };

  const text = iconv.decode(Buffer.from(whole), 'gb18030');
  let bad = 0, nonAscii = 0, han = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0xfffd) bad++;
    if (cp >= 0x80) { nonAscii++; if (isCjk(cp)) han++; }
  }
  // A final character cut off by the sample's end may decode as U+FFFD; allow that one.
  if (bad <= (complete ? 0 : 1) && nonAscii > 0 && han / nonAscii >= 0.6) return { ok: true, encoding: 'gb18030', bomLength: 0 };

  const offset = firstInvalidUtf8(whole);
  return {
    ok: false, code: 'undecodable', offset: Math.max(0, offset),
    message: `invalid UTF-8 at byte ${Math.max(0, offset)}, and the text is not GB18030/GBK Chinese either; save it as UTF-8`,
  };
}
