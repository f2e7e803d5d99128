// Crash-safe file writes: a reader (or a resumed run) sees the old file or the new one, never half
// of either. Write to a temp file beside the target, fsync it, rename over the target, fsync the
// directory so the rename itself survives a power cut.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${counter++}`);
}

export function fsyncDirectory(dir: string): void {
  // Directories cannot be opened for fsync on Windows; the rename is still atomic there.
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFileAtomic(target: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  const tmp = tempPathFor(target);
  const parts = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (const part of parts) {
        let written = 0;
        while (written < part.byteLength) written += writeSync(fd, part, written, part.byteLength - written);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDirectory(dirname(target));
}

export function writeJsonAtomic(target: string, value: unknown): void {
  writeFileAtomic(target, JSON.stringify(value, null, 2) + '\n');
}
