// Appends numbers to a file through a fixed buffer, so writing a per-document list (docs.bin,
// labels.bin, a split's columns) holds 64 KiB, not the list. Little-endian, as every reader here
// assumes (typed arrays use the platform's order; every platform we ship on is little-endian).
import { closeSync, openSync, writeSync } from 'node:fs';
import { NUMBER_WIDTH, type NumberFileType } from './number-list';

export class NumberWriter {
  /** uint64 as two uint32 halves (low first): no BigInt per number. */
  private readonly buf: Float64Array | Uint32Array | Int32Array;
  private readonly capacity: number;
  private fill = 0;
  private fd: number | null;
  /** Numbers written so far (flushed or not). */
  count = 0;

  /**
   * Writes to `path` (created or truncated), or into an open descriptor `fd` from byte `position`
   * on (several lists of one file, each at its own offset).
   */
  constructor(readonly path: string, readonly type: NumberFileType, private readonly at: { fd: number; position: number } | null = null, bufferItems = 8192) {
    this.buf = type === 'uint64' ? new Uint32Array(2 * bufferItems) : type === 'float64' ? new Float64Array(bufferItems) : new Int32Array(bufferItems);
    this.capacity = bufferItems;
    this.fd = at ? at.fd : openSync(path, 'w');
  }

  push(v: number): void {
    if (this.fill === this.capacity) this.flush();
    if (this.type === 'uint64') {
      if (!(v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v))) throw new RangeError(`${this.path}: ${v} is not a uint64 offset`);
      this.buf[2 * this.fill] = v % 4294967296;
      this.buf[2 * this.fill + 1] = Math.floor(v / 4294967296);
      this.fill++;
    } else this.buf[this.fill++] = v;
    this.count++;
  }

  flush(): void {
    if (this.fill === 0) return;
    if (this.fd === null) throw new Error(`${this.path}: written after close`);
    const bytes = new Uint8Array(this.buf.buffer, 0, this.fill * NUMBER_WIDTH[this.type]);
    for (let off = 0; off < bytes.length;) {
      const n = this.at ? writeSync(this.fd, bytes, off, bytes.length - off, this.at.position) : writeSync(this.fd, bytes, off, bytes.length - off);
      off += n;
      if (this.at) this.at.position += n;
    }
    this.fill = 0;
  }

  /** Flushes, and closes the file if this writer opened it. */
  close(): void {
    if (this.fd === null) return;
    this.flush();
    if (!this.at) closeSync(this.fd);
    this.fd = null;
  }
}
