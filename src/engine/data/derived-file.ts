// Files derived from a token folder (a split, the sentence and word index) are computed once and
// kept beside its shards; a folder that cannot be written (read-only media) is not an error: the
// caller computes the same in memory.
import { statSync } from 'node:fs';

/** read() of `path`, after write() if it does not exist yet; null when the folder cannot be written. */
export function readOrWriteBeside<T>(path: string, write: () => void, read: () => T): T | null {
  let exists = true;
  try { statSync(path); } catch { exists = false; }
  if (!exists) {
    try {
      write();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') return null;
      throw e;
    }
  }
  return read();
}
