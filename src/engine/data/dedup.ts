// Exact deduplication in bounded memory. The 64-bit hashes of the first documents go into an
// in-memory set (HashSet64) of at most `memoryMB`; once it is full it is frozen: it still drops
// repeats of those documents at once, and every later document that passes it is deferred,
// written to a pending file in the import's temporary folder while (hash, ordinal) records go to
// an external sort. After reading, the sorted records give the repeats among the deferred
// documents (all but the lowest ordinal of each hash: the first occurrence is kept, as with an
// unbounded set); their ordinals are sorted the same bounded way, and one pass over the pending
// file hands back each deferred document, in order, with whether it is a duplicate. Deferred
// documents all come after the kept ones in reading order, so appending the survivors gives the
// documents an unbounded set would have kept, in the same order.
// Memory: the set (HashSet64.bytes at its size, ≤ memoryMB), one sort chunk (4 MiB) and the
// pending file's ~1 MB write batches while reading; the merge's read buffers (64 KiB a run, at most
// 64 runs at once) afterwards. Disk: the deferred documents once more, and 12 bytes each twice.
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ExternalSorter } from './external-sort';
import { HashSet64 } from './hashset64';
import { DocumentWriter, type CorpusDocument } from './store';

export const DEFAULT_DEDUP_MEMORY_MB = 64;

/** How many documents the in-memory set of a `memoryMB` budget holds before deferring. */
export function dedupSetCapacity(memoryMB: number): { documents: number; bytes: number } {
  const slots = HashSet64.slotsWithin(memoryMB * (1 << 20));
  return { documents: slots / 2, bytes: HashSet64.bytes(slots).growing };
}

export type DedupVerdict = 'keep' | 'drop' | 'defer';

export interface DedupOptions {
  /** Budget of the in-memory set, MiB (default 64: 2,097,152 documents). */
  memoryMB?: number;
  /** The import's temporary folder: pending and run files go into a folder of their own in it, removed after use. */
  dir: string;
  signal?: AbortSignal;
  /** The external sorts' chunk (ExternalSortOptions.chunkBytes; tests make it tiny). */
  sortChunkBytes?: number;
}

export class BoundedDedup {
  private set: HashSet64 | null;
  private frozen = false;
  private pending: DocumentWriter | null = null;
  private sorter: ExternalSorter | null = null;
  private dups: ExternalSorter | null = null;
  private readonly record = new Uint32Array(3);
  private readonly dir: string;
  /** Documents deferred so far. */
  deferred = 0;

  constructor(private readonly opts: DedupOptions) {
    const memoryMB = opts.memoryMB ?? DEFAULT_DEDUP_MEMORY_MB;
    if (!(memoryMB > 0)) throw new Error(`dedupMemoryMB must be a positive number, got ${memoryMB}`);
    this.set = new HashSet64(1 << 16, HashSet64.slotsWithin(memoryMB * (1 << 20)));
    this.dir = join(opts.dir, 'dedup');
  }

  /** 'keep': a new document; 'drop': a repeat of a kept one; 'defer': decided by resolve(). */
  check(h1: number, h2: number): DedupVerdict {
    const set = this.set!;
    if (!this.frozen) {
      if (set.canAdd()) return set.add(h1, h2) ? 'keep' : 'drop';
      this.frozen = true;
    }
    return set.has(h1, h2) ? 'drop' : 'defer';
  }

  /** Sets aside a document check() deferred. */
  async defer(h1: number, h2: number, doc: CorpusDocument): Promise<void> {
    if (!this.pending) {
      await mkdir(this.dir);
      this.pending = new DocumentWriter(this.pendingPath());
      this.sorter = new ExternalSorter({ words: 3, dir: this.dir, name: 'hashes', signal: this.opts.signal, chunkBytes: this.opts.sortChunkBytes });
    }
    if (this.deferred >= 2 ** 32) throw new Error('dedup: more than 4,294,967,296 documents past the in-memory set; raise dedupMemoryMB');
    await this.pending.write(doc);
    this.record[0] = h1; this.record[1] = h2; this.record[2] = this.deferred++;
    await this.sorter!.push(this.record);
  }

  private pendingPath(): string { return join(this.dir, 'pending.jsonl'); }

  /**
   * Every deferred document in order, with whether it repeats an earlier deferred one. `onStep`
   * is told the work done of the total (records merged, then documents read back).
   */
  async *resolve(onStep?: (done: number, total: number) => void): AsyncGenerator<{ doc: CorpusDocument; duplicate: boolean; ordinal: number }> {
    this.set = null; // reading is over: its memory goes back before the merge
    if (!this.pending) return;
    await this.pending.close();
    const total = 2 * this.deferred;
    let done = 0;
    // Sorted by (hash, ordinal): in a run of equal hashes all but the first are repeats.
    const dups = new ExternalSorter({ words: 1, dir: this.dir, name: 'repeats', signal: this.opts.signal, chunkBytes: this.opts.sortChunkBytes });
    this.dups = dups;
    let h1 = -1, h2 = -1;
    const one = new Uint32Array(1);
    for await (const batch of this.sorter!.sorted()) {
      for (let i = 0; i < batch.length; i += 3) {
        if (batch[i] === h1 && batch[i + 1] === h2) { one[0] = batch[i + 2]; await dups.push(one); }
        h1 = batch[i]; h2 = batch[i + 1];
      }
      done += batch.length / 3;
      onStep?.(done, total);
    }
    const repeats = dups.sorted()[Symbol.asyncIterator]();
    let batch: Uint32Array = new Uint32Array(0);
    let at = 0;
    const nextRepeat = async (): Promise<number> => {
      if (at === batch.length) {
        const r = await repeats.next();
        if (r.done) return Infinity;
        batch = r.value; at = 0;
      }
      return batch[at];
    };
    // Asked before the file is opened: readline emits lines as soon as it reads, and those it
    // reads while nothing iterates it yet are lost (an await here that waits on I/O lost lines).
    let repeat = await nextRepeat();
    const input = createReadStream(this.pendingPath(), { encoding: 'utf8', highWaterMark: 1 << 20 });
    const lines = createInterface({ input, crlfDelay: Infinity });
    try {
      let ordinal = 0;
      for await (const line of lines) {
        if (!line) continue;
        const duplicate = ordinal === repeat;
        if (duplicate) { at++; repeat = await nextRepeat(); }
        this.opts.signal?.throwIfAborted();
        if (((ordinal + 1) & 1023) === 0) onStep?.(done + ordinal + 1, total);
        yield { doc: JSON.parse(line) as CorpusDocument, duplicate, ordinal };
        ordinal++;
      }
      if (ordinal !== this.deferred) throw new Error(`dedup: the pending file holds ${ordinal} documents, ${this.deferred} were deferred`);
      onStep?.(total, total);
    } finally {
      lines.close();
      input.destroy();
      await repeats.return?.(undefined);
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Closes the pending file and removes run files (an import that failed or was cancelled). */
  async discard(): Promise<void> {
    this.set = null;
    await this.pending?.discard();
    await this.sorter?.discard();
    await this.dups?.discard();
    await rm(this.dir, { recursive: true, force: true });
  }
}
