// A worker thread's part of tokenizer training's counting pass (tokenizer-workers.ts): the words
// of the documents in one byte range of a documents.jsonl, counted as the in-thread trainer counts
// them (WordCounter), with the sample's every-k-th selection and the pair side applied by the
// documents' index in the whole input, and a character budget (the trainer's maxTrainChars).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parentPort, workerData } from 'node:worker_threads';
import { WordCounter, type CountSpec } from '../tokenizers/word-count';
import { pairSide } from './pair-tokenizer';
import type { CorpusDocument } from './store';

export interface CountWorkerData {
  spec: CountSpec;
  docsPath: string;
  /** Byte range [start, end) of documents.jsonl, on line boundaries. */
  start: number;
  end: number;
  /** Index of the range's first document in the whole input (with `every`: which are sampled). */
  firstIndex: number;
  /** Count only documents whose index is a multiple of this (1: all). */
  every: number;
  /** One side of paired documents, or whole documents. */
  side: 'both' | 'source' | 'target';
  /** Stop after the text that brings this range's characters to this many. */
  budget: number;
}

export type CountWorkerMessage =
  | { type: 'progress'; chars: number }
  /** `chars`: characters counted (the budget's measure); `counts` in order of first appearance. */
  | { type: 'done'; chars: number; counts: Map<string, number> }
  | { type: 'error'; message: string };

/** Counts one range; `onChars` follows it. Exported for the in-thread check of the worker's logic. */
export async function countRange(d: CountWorkerData, onChars?: (chars: number) => void): Promise<{ chars: number; counts: Map<string, number> }> {
  const counter = new WordCounter(d.spec);
  if (d.end > d.start && d.budget > 0) {
    const input = createReadStream(d.docsPath, { encoding: 'utf8', start: d.start, end: d.end - 1, highWaterMark: 1 << 20 });
    const lines = createInterface({ input, crlfDelay: Infinity });
    let index = d.firstIndex;
    let sinceReport = 0;
    try {
      for await (const line of lines) {
        if (!line) continue; // as readDocuments: empty lines are not documents
        if (index++ % d.every !== 0) continue;
        const text = (JSON.parse(line) as CorpusDocument).text;
        counter.add(d.side === 'both' ? text : pairSide(text, d.side));
        if (counter.seen >= d.budget) break;
        if (++sinceReport === 100) { sinceReport = 0; onChars?.(counter.seen); }
      }
    } finally {
      lines.close();
      input.destroy();
    }
  }
  return { chars: counter.seen, counts: counter.counts };
}

if (parentPort && workerData) {
  const port = parentPort;
  countRange(workerData as CountWorkerData, (chars) => port.postMessage({ type: 'progress', chars } satisfies CountWorkerMessage)).then(
    (done) => port.postMessage({ type: 'done', ...done } satisfies CountWorkerMessage),
    (error: unknown) => port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) } satisfies CountWorkerMessage),
  );
}
