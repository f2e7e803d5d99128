// A file's encoding from its bytes on disk. detectEncoding judges the first 64 KiB; a file whose
// first 64 KiB are plain ASCII (an English preface, a licence header, a CSV of numbers) says
// nothing there about what follows, and GB18030 Chinese after it would be read as broken UTF-8.
// So for such a file the first non-ASCII bytes are found and judged too, however far in.
import { open } from 'node:fs/promises';
import { detectEncoding, SAMPLE_BYTES, type Detection } from './detect';

const SCAN_BYTES = 1 << 20;

function isAscii(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] >= 0x80) return false;
  return true;
}

/** The encoding of the `bytes`-long file at `path` whose first bytes are `sample`. */
export async function detectFileEncoding(path: string, sample: Uint8Array, bytes: number): Promise<Detection> {
  const first = detectEncoding(sample, sample.length === bytes);
  if (!first.ok || first.encoding !== 'utf8' || first.bomLength !== 0 || sample.length === bytes || !isAscii(sample)) return first;
  const fh = await open(path, 'r');
  try {
    const chunk = Buffer.alloc(SCAN_BYTES);
    for (let at = sample.length; at < bytes; at += SCAN_BYTES) {
      const { bytesRead } = await fh.read(chunk, 0, Math.min(SCAN_BYTES, bytes - at), at);
      const hit = chunk.subarray(0, bytesRead).findIndex((b) => b >= 0x80);
      if (hit < 0) continue;
      // Judge a sample from the start of that line (ASCII reads the same in every candidate).
      const lineStart = chunk.subarray(0, hit).lastIndexOf(0x0a) + 1;
      const from = at + lineStart;
      const window = Buffer.alloc(Math.min(SAMPLE_BYTES, bytes - from));
      await fh.read(window, 0, window.length, from);
      const later = detectEncoding(window, from + window.length === bytes);
      // Only a different text encoding overrides: binary-looking or undecodable bytes this far in
      // are reported line by line as UTF-8 damage, the file is not skipped for them.
      return later.ok && later.encoding === 'gb18030' ? later : first;
    }
    return first;
  } finally {
    await fh.close();
  }
}
