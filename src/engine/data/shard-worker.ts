// A worker thread's part of shard building (shard-workers.ts): encode the documents in one byte
// range of documents.jsonl, in order, into a part file of token ids (each document followed by the
// separator), with per document its token count and label in two more files (int32 each, written
// through fixed buffers: nothing here grows with the corpus but the label names). Synchronous
// writes: this thread does nothing else, and the host's event loop is elsewhere.
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parentPort, workerData } from 'node:worker_threads';
import { Tokenizer } from '../tokenizers/tokenizer';
import type { TokenizerJson } from '../tokenizers/tokenizer-json';
import type { CorpusDocument } from './store';
import { PairTokenizer } from './pair-tokenizer';
import { NumberWriter } from './number-writer';

export interface ShardWorkerData {
  tokenizer: TokenizerJson;
  /** A seq2seq run's target-side tokenizer: documents are encoded by a PairTokenizer. */
  target?: TokenizerJson;
  docsPath: string;
  /** Byte range [start, end) of documents.jsonl, on line boundaries. */
  start: number;
  end: number;
  outPath: string;
  /** Per document: tokens with its separator; index into the done message's labelNames, -1 for none (int32 LE each). */
  lengthsPath: string;
  labelsPath: string;
  dtype: 'uint16' | 'uint32';
  separator: number[];
}

export type ShardWorkerMessage =
  | { type: 'progress'; documents: number; tokens: number }
  /** The range's documents are in lengthsPath and labelsPath; labels index `labelNames`. */
  | { type: 'done'; documents: number; tokens: number; labelNames: string[] }
  | { type: 'error'; message: string };

/** Set by a 'stop' message (the build was cancelled or another worker failed). */
let stopRequested = false;

async function run(d: ShardWorkerData): Promise<Extract<ShardWorkerMessage, { type: 'done' }>> {
  const tok = d.target ? new PairTokenizer(new Tokenizer(d.tokenizer), new Tokenizer(d.target)) : new Tokenizer(d.tokenizer);
  const Arr = d.dtype === 'uint16' ? Uint16Array : Uint32Array;
  const buf = new Arr(1 << 20);
  let fill = 0;
  let tokens = 0;
  const fd = openSync(d.outPath, 'w');
  const flush = () => {
    const bytes = new Uint8Array(buf.buffer, 0, fill * buf.BYTES_PER_ELEMENT);
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
    fill = 0;
  };
  const push = (ids: readonly number[]) => {
    for (const id of ids) { if (fill === buf.length) flush(); buf[fill++] = id; }
  };
  const lengths = new NumberWriter(d.lengthsPath, 'int32');
  const labels = new NumberWriter(d.labelsPath, 'int32');
  const labelIndex = new Map<string, number>();
  try {
    if (d.end > d.start) {
      const input = createReadStream(d.docsPath, { encoding: 'utf8', start: d.start, end: d.end - 1, highWaterMark: 1 << 20 });
      for await (const line of createInterface({ input, crlfDelay: Infinity })) {
        if (stopRequested) throw new Error('stopped');
        if (!line) continue;
        const doc = JSON.parse(line) as CorpusDocument;
        const ids = tok.encode(doc.text);
        push(ids); push(d.separator);
        tokens += ids.length + d.separator.length;
        lengths.push(ids.length + d.separator.length);
        if (doc.label !== undefined && !labelIndex.has(doc.label)) labelIndex.set(doc.label, labelIndex.size);
        labels.push(doc.label === undefined ? -1 : labelIndex.get(doc.label)!);
        if (lengths.count % 1000 === 0) parentPort!.postMessage({ type: 'progress', documents: lengths.count, tokens } satisfies ShardWorkerMessage);
      }
    }
    flush();
  } finally {
    closeSync(fd);
    lengths.close(); labels.close();
  }
  return { type: 'done', documents: lengths.count, tokens, labelNames: [...labelIndex.keys()] };
}

if (parentPort && workerData) {
  parentPort.on('message', (m) => { if (m === 'stop') stopRequested = true; });
  parentPort.unref(); // the listener alone does not keep this thread alive once its range is done
  run(workerData as ShardWorkerData).then(
    (done) => parentPort!.postMessage(done),
    (error: unknown) => parentPort!.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) } satisfies ShardWorkerMessage),
  );
}
