// Stream a text file as lines, in bounded memory: read fixed-size chunks, transcode to UTF-8
// when the file is UTF-16 or GB18030, split at the byte level on '\n', '\r\n' and a lone '\r'
// (old Mac files; safe in UTF-8: neither byte occurs inside a multi-byte character).
// A line longer than `maxLineBytes` is never assembled whole. With `splitLongLines` (plain text)
// it is cut into pieces of at most that size, at a sentence end where the second half of the
// window has one, else at a space, else at a character boundary; the pieces are found by one
// backwards scan over at most half a window each, so the work stays linear in the line (a 50 MB
// line costs about what 50 MB of short lines cost). Without it (JSONL, CSV: a cut record means
// nothing) its bytes are skipped up to the next line break and reported as 'too-long'.
// Control characters (C0 except tab, DEL, C1, and U+FEFF past the start) are removed from every
// line and reported. Every decoded character is counted in `account` so that the import can
// prove that what it imported plus what it dropped equals what it read.
import { open } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import iconv from 'iconv-lite';
import { firstInvalidUtf8, utf8BoundaryLength, type Encoding } from './detect';
import type { FileAccount } from './import-report';

export type LineEvent =
  /** `chars`: code points of `text`; `eol`: characters of the line break that ended it (0–2). */
  | { kind: 'line'; text: string; line: number; offset?: number; chars: number; eol: number; piece?: number }
  /** After the last piece of a line that was split. */
  | { kind: 'split'; line: number; offset?: number; bytes: number; pieces: number; atSentence: number; atSpace: number; inText: number }
  | { kind: 'too-long'; line: number; offset?: number; bytes: number; chars: number; eol: number }
  /** `count` characters could not be decoded (`encoding`) and were replaced by U+FFFD. */
  | { kind: 'invalid'; line: number; offset?: number; count: number; encoding: Encoding }
  | { kind: 'controls'; line: number; offset?: number; count: number; first: number };

export interface ReadLinesOptions {
  encoding: Encoding;
  bomLength: number;
  maxLineBytes: number;
  /** Cut long lines into pieces (plain text) instead of skipping them (structured formats). */
  splitLongLines?: boolean;
  chunkBytes?: number;
  /** Characters read and dropped while reading (control characters, skipped long lines). */
  account: FileAccount;
  /** Called with the number of file bytes read so far. */
  onBytes?: (bytesRead: number) => void;
  signal?: AbortSignal;
}

// Removed from text: they carry no meaning for a language model and break tokenizers and JSON.
// Tab, LF and CR are line structure; zero-width joiners and spaces (U+200B–U+200D) are kept,
// they matter in Indic scripts, emoji and some CJK text. U+FEFF inside text is a stray BOM.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufeff]/g;

const HIGH_SURROGATE = /[\ud800-\udbff]/;

/** Code points in `s` (a surrogate pair is one). */
export function codePoints(s: string): number {
  // Most text has no characters beyond the BMP: a native scan instead of a JS loop over each one.
  if (!HIGH_SURROGATE.test(s)) return s.length;
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; }
    }
  }
  return n;
}

const isCont = (b: number) => (b & 0xc0) === 0x80;
const isSpace = (b: number) => b === 0x20 || b === 0x09;
// Sentence-ending punctuation as UTF-8: 。！？；… and the full-width full stop ．
const CJK_ENDS = [[0xe3, 0x80, 0x82], [0xef, 0xbc, 0x81], [0xef, 0xbc, 0x9f], [0xef, 0xbc, 0x9b], [0xe2, 0x80, 0xa6], [0xef, 0xbc, 0x8e]];
// Closing quotes and brackets that stay with the sentence before them: ” 」 』 ） ’
const CJK_CLOSE = [[0xe2, 0x80, 0x9d], [0xe3, 0x80, 0x8d], [0xe3, 0x80, 0x8f], [0xef, 0xbc, 0x89], [0xe2, 0x80, 0x99]];
const at3 = (b: Buffer, i: number, seq: number[]) => b[i] === seq[0] && b[i + 1] === seq[1] && b[i + 2] === seq[2];

/**
 * Where to end a piece of `b` that starts at `start` and may run to `end` (exclusive, end - start
 * is the size limit): the last sentence end, else the last space, in [start + half, end];
 * else the last character boundary at or before `end`.
 */
export function findCut(b: Buffer, start: number, end: number): { cut: number; how: 'sentence' | 'space' | 'text' } {
  const lo = start + Math.max(1, (end - start) >> 1);
  let space = -1;
  for (let i = end - 1; i >= lo; i--) {
    const x = b[i];
    if (x < 0x80) {
      if (isSpace(x)) {
        if (space < 0) space = i + 1;
        // ". " "?) " '!" ': an ASCII sentence end followed by this space.
        let j = i - 1;
        while (j >= start && (b[j] === 0x22 || b[j] === 0x27 || b[j] === 0x29 || b[j] === 0x5d)) j--;
        if (j >= start && (b[j] === 0x2e || b[j] === 0x21 || b[j] === 0x3f)) return { cut: i + 1, how: 'sentence' };
      }
      continue;
    }
    if (i + 3 <= end && CJK_ENDS.some((s) => at3(b, i, s))) {
      let cut = i + 3;
      while (cut + 3 <= end && CJK_CLOSE.some((s) => at3(b, cut, s))) cut += 3;
      return { cut, how: 'sentence' };
    }
  }
  if (space > 0) return { cut: space, how: 'space' };
  let cut = end;
  // Back up over continuation bytes: never inside a UTF-8 sequence (so never inside what UTF-16
  // would hold as a surrogate pair). At most 3 steps for valid text.
  while (cut > start + 1 && cut < b.length && isCont(b[cut]) && end - cut < 4) cut--;
  return { cut, how: 'text' };
}

export async function* readLines(path: string, opts: ReadLinesOptions): AsyncGenerator<LineEvent[]> {
  const chunkBytes = opts.chunkBytes ?? 1 << 20;
  const acct = opts.account;
  const transcode = opts.encoding !== 'utf8' ? iconv.getDecoder(opts.encoding, { stripBOM: true }) : null;
  // A place's byte offset in the file: UTF-8 by its offset in the stream; UTF-16 by the code units
  // decoded before it (two bytes each); GB18030 (1, 2 or 4 bytes a character, transcoded) unknown.
  const utf16 = opts.encoding === 'utf16le' || opts.encoding === 'utf16be';
  const place = (streamOffset: number, unitOffset: number) => (!transcode ? streamOffset + opts.bomLength : utf16 ? opts.bomLength + 2 * unitOffset : undefined);
  let units = 0; // UTF-16 code units of decoded text consumed so far (emitted or skipped)
  let lineUnits = 0; // ... when the current line started
  let skippedUnits = 0;
  const split = opts.splitLongLines === true;
  const fh = await open(path, 'r');
  let filePos = opts.bomLength;
  let streamPos = 0; // bytes of UTF-8 stream consumed before the current chunk
  let pending: Buffer[] = [];
  let pendingLen = 0;
  let skipping = false;
  let skipDecoder: StringDecoder | null = null;
  let skippedChars = 0;
  let lineNo = 1;
  let lineStart = 0; // stream offset where the current line starts
  let pieceStart = 0; // stream offset of the pending bytes (after the pieces already emitted)
  let afterCR = false; // the previous chunk ended in '\r': a '\n' first in this one belongs to it
  let pieces = 0;
  const how = { sentence: 0, space: 0, text: 0 };

  const emitText = (body: Buffer, bodyOffset: number, eol: number, out: LineEvent[], piece?: number) => {
    const unitBase = units;
    let text = body.toString('utf8');
    if (!transcode && !isUtf8(body)) {
      let count = 0;
      for (const ch of text) if (ch === '\uFFFD') count++;
      // -1: the only fault is a character cut off at the end (a truncated file).
      const k = firstInvalidUtf8(body);
      out.push({ kind: 'invalid', line: lineNo, offset: place(bodyOffset + (k >= 0 ? k : utf8BoundaryLength(body)), 0), count, encoding: opts.encoding });
    } else if (transcode && text.includes('\uFFFD')) {
      // The decoder replaced what it could not decode (a lone surrogate, an odd last byte, a
      // byte pair that is no GB18030 character); a U+FFFD in the file itself is counted too.
      let count = 0;
      for (const ch of text) if (ch === '\uFFFD') count++;
      out.push({ kind: 'invalid', line: lineNo, offset: place(0, unitBase + text.indexOf('\uFFFD')), count, encoding: opts.encoding });
    }
    units += text.length + eol;
    const all = codePoints(text);
    acct.charsRead += all + eol;
    CONTROL.lastIndex = 0;
    const m = CONTROL.exec(text);
    if (m) {
      const first = m.index;
      const stripped = text.replace(CONTROL, '');
      const removed = text.length - stripped.length; // controls are all single UTF-16 units
      acct.drop('control-characters', removed);
      out.push({ kind: 'controls', line: lineNo, offset: place(bodyOffset + Buffer.byteLength(text.slice(0, first)), unitBase + first), count: removed, first: text.codePointAt(first)! });
      text = stripped;
      out.push({ kind: 'line', text, line: lineNo, offset: place(bodyOffset, unitBase), chars: all - removed, eol, piece });
    } else out.push({ kind: 'line', text, line: lineNo, offset: place(bodyOffset, unitBase), chars: all, eol, piece });
  };

  const endLine = (eol: number, out: LineEvent[]) => {
    if (skipping) {
      const tail = skipDecoder!.end();
      skippedChars += codePoints(tail);
      units += skippedUnits + tail.length + eol;
      acct.charsRead += skippedChars + eol;
      acct.drop('line-too-long', skippedChars);
      acct.drop('line-breaks', eol);
      out.push({ kind: 'too-long', line: lineNo, offset: place(lineStart, lineUnits), bytes: pendingLen, chars: skippedChars, eol });
    } else if (pieces > 0) {
      // The last piece (possibly empty when the line ended at a cut: then it carries only the eol).
      if (pendingLen > 0) pieces++;
      emitText(pending.length ? Buffer.concat(pending) : Buffer.alloc(0), pieceStart, eol, out, pieces);
      out.push({ kind: 'split', line: lineNo, offset: place(lineStart, lineUnits), bytes: pieceStart - lineStart + pendingLen, pieces, atSentence: how.sentence, atSpace: how.space, inText: how.text });
    } else emitText(pending.length === 1 ? pending[0] : Buffer.concat(pending), lineStart, eol, out);
    skipping = false; skipDecoder = null; skippedChars = 0; skippedUnits = 0; pending = []; pendingLen = 0; pieces = 0;
    how.sentence = 0; how.space = 0; how.text = 0;
  };

  // Appends a segment of the current line, cutting or skipping once it passes the limit.
  const addSegment = (seg: Buffer, out: LineEvent[]) => {
    if (seg.length === 0) return;
    if (skipping) {
      pendingLen += seg.length;
      const s = skipDecoder!.write(seg);
      skippedChars += codePoints(s); skippedUnits += s.length;
      return;
    }
    pending.push(seg); pendingLen += seg.length;
    if (pendingLen <= opts.maxLineBytes) return;
    if (!split) {
      // Count what was buffered, then stop buffering: the rest of the line is only counted.
      skipping = true;
      skipDecoder = new StringDecoder('utf8');
      for (const p of pending) { const s = skipDecoder.write(p); skippedChars += codePoints(s); skippedUnits += s.length; }
      pending = [];
      return;
    }
    const buf = Buffer.concat(pending);
    let pos = 0;
    while (buf.length - pos > opts.maxLineBytes) {
      const c = findCut(buf, pos, pos + opts.maxLineBytes);
      how[c.how]++;
      pieces++;
      emitText(buf.subarray(pos, c.cut), pieceStart, 0, out, pieces);
      pieceStart += c.cut - pos;
      pos = c.cut;
    }
    // Copied so the rest does not pin the whole concatenation in memory.
    pending = [Buffer.from(buf.subarray(pos))];
    pendingLen = pending[0].length;
  };

  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      const raw = Buffer.allocUnsafe(chunkBytes);
      const { bytesRead } = await fh.read(raw, 0, chunkBytes, filePos);
      const atEof = bytesRead === 0;
      filePos += bytesRead;
      acct.bytesRead = filePos;
      opts.onBytes?.(filePos);
      let bytes: Buffer;
      if (transcode) {
        let text = atEof ? transcode.end() ?? '' : transcode.write(raw.subarray(0, bytesRead));
        // iconv-lite drops an odd last byte of UTF-16 without a word; a WHATWG decoder gives U+FFFD,
        // and so do we, so that it is counted and reported like any undecodable byte.
        if (atEof && utf16 && (filePos - opts.bomLength) % 2 === 1) text += '\uFFFD';
        bytes = Buffer.from(text, 'utf8');
      } else bytes = raw.subarray(0, bytesRead);
      const out: LineEvent[] = [];
      let pos = 0;
      if (afterCR && bytes.length > 0) {
        // The '\r' of a '\r\n' split across chunks ended its line already; its '\n' is a
        // character read and dropped with the line break it belongs to.
        if (bytes[0] === 0x0a) { pos = 1; lineStart = streamPos + 1; pieceStart = lineStart; units++; lineUnits = units; acct.charsRead++; acct.drop('line-breaks', 1); }
        afterCR = false;
      }
      let nextLF = bytes.indexOf(0x0a, pos);
      let nextCR = bytes.indexOf(0x0d, pos);
      for (;;) {
        if (nextLF >= 0 && nextLF < pos) nextLF = bytes.indexOf(0x0a, pos);
        if (nextCR >= 0 && nextCR < pos) nextCR = bytes.indexOf(0x0d, pos);
        const brk = nextCR < 0 ? nextLF : nextLF < 0 ? nextCR : Math.min(nextLF, nextCR);
        if (brk < 0) { addSegment(bytes.subarray(pos), out); break; }
        addSegment(bytes.subarray(pos, brk), out);
        let eol = 1;
        if (bytes[brk] === 0x0d) {
          if (brk + 1 < bytes.length) { if (bytes[brk + 1] === 0x0a) eol = 2; } else afterCR = true;
        }
        endLine(eol, out);
        lineNo++;
        pos = brk + eol;
        lineStart = streamPos + pos; pieceStart = lineStart; lineUnits = units;
      }
      streamPos += bytes.length;
      if (atEof) {
        if (skipping || pendingLen > 0 || pieces > 0) endLine(0, out);
        if (out.length) yield out;
        return;
      }
      if (out.length) yield out;
    }
  } finally {
    await fh.close();
  }
}
