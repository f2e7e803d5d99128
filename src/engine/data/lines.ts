// Stream a text file as lines, in bounded memory: read fixed-size chunks, transcode to UTF-8
// when the file is UTF-16 or GB18030, split on '\n' at the byte level (safe in UTF-8: 0x0A never
// occurs inside a multi-byte character), drop a trailing '\r'. A line longer than
// `maxLineBytes` is never assembled: its bytes are skipped up to the next newline and it is
// reported as 'too-long'. Events come in batches (one per chunk) to keep async overhead low.
import { open } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { firstInvalidUtf8, type Encoding } from './detect';

export type LineEvent =
  | { kind: 'line'; text: string; line: number; offset?: number }
  | { kind: 'too-long'; line: number; offset?: number; bytes: number }
  | { kind: 'invalid'; line: number; offset?: number };

export interface ReadLinesOptions {
  encoding: Encoding;
  bomLength: number;
  maxLineBytes: number;
  chunkBytes?: number;
  /** Called with the number of file bytes read so far. */
  onBytes?: (bytesRead: number) => void;
  signal?: AbortSignal;
}

export async function* readLines(path: string, opts: ReadLinesOptions): AsyncGenerator<LineEvent[]> {
  const chunkBytes = opts.chunkBytes ?? 1 << 20;
  const transcode = opts.encoding !== 'utf8' ? iconv.getDecoder(opts.encoding, { stripBOM: true }) : null;
  // Byte offsets are only meaningful when the stream is the file itself (UTF-8).
  const at = (streamOffset: number) => (transcode ? undefined : streamOffset + opts.bomLength);
  const fh = await open(path, 'r');
  let filePos = opts.bomLength;
  let streamPos = 0; // bytes of UTF-8 stream consumed before the current chunk
  let pending: Buffer[] = [];
  let pendingLen = 0;
  let skipping = false;
  let lineNo = 1;
  let lineStart = 0;
  const emitLine = (buf: Buffer, out: LineEvent[]) => {
    const end = buf.length > 0 && buf[buf.length - 1] === 0x0d ? buf.length - 1 : buf.length;
    const body = buf.subarray(0, end);
    if (!transcode && !isUtf8(body)) out.push({ kind: 'invalid', line: lineNo, offset: at(lineStart + Math.max(0, firstInvalidUtf8(body))) });
    out.push({ kind: 'line', text: body.toString('utf8'), line: lineNo, offset: at(lineStart) });
  };
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      const raw = Buffer.allocUnsafe(chunkBytes);
      const { bytesRead } = await fh.read(raw, 0, chunkBytes, filePos);
      const atEof = bytesRead === 0;
      filePos += bytesRead;
      opts.onBytes?.(filePos);
      let bytes: Buffer;
      if (transcode) {
        const text = atEof ? transcode.end() ?? '' : transcode.write(raw.subarray(0, bytesRead));
        bytes = Buffer.from(text, 'utf8');
      } else bytes = raw.subarray(0, bytesRead);
      const out: LineEvent[] = [];
      let pos = 0;
      for (;;) {
        const nl = bytes.indexOf(0x0a, pos);
        if (nl < 0) {
          const seg = bytes.subarray(pos);
          if (skipping) pendingLen += seg.length;
          else if (seg.length > 0) {
            pending.push(seg); pendingLen += seg.length;
            if (pendingLen > opts.maxLineBytes) { skipping = true; pending = []; }
          }
          break;
        }
        const seg = bytes.subarray(pos, nl);
        if (skipping || pendingLen + seg.length > opts.maxLineBytes) {
          out.push({ kind: 'too-long', line: lineNo, offset: at(lineStart), bytes: pendingLen + seg.length });
        } else emitLine(pending.length ? Buffer.concat([...pending, seg]) : seg, out);
        skipping = false; pending = []; pendingLen = 0;
        lineNo++; lineStart = streamPos + nl + 1; pos = nl + 1;
      }
      streamPos += bytes.length;
      if (atEof) {
        if (skipping) out.push({ kind: 'too-long', line: lineNo, offset: at(lineStart), bytes: pendingLen });
        else if (pendingLen > 0) emitLine(Buffer.concat(pending), out);
        if (out.length) yield out;
        return;
      }
      if (out.length) yield out;
    }
  } finally {
    await fh.close();
  }
}
