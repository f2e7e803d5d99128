// A worker thread that runs one import (import-workers.ts): importCorpus with the host's options,
// its progress posted back (at most every 50 ms), stopped by an 'abort' message, its result or
// its error (name, message, stack) posted when it ends.
import { parentPort, workerData } from 'node:worker_threads';
import { Tokenizer } from '../tokenizers/tokenizer';
import type { TokenizerJson } from '../tokenizers/tokenizer-json';
import { importCorpus, type ImportOptions, type ImportProgress, type ImportResult } from './import';

export interface ImportWorkerData {
  /** importCorpus's options less what cannot cross threads (callbacks, signal, tokenizer). */
  opts: Omit<ImportOptions, 'onProgress' | 'signal' | 'tokenizer'>;
  /** The tokenizer that counts tokens (ImportOptions.tokenizer), as its JSON. */
  tokenizer?: TokenizerJson;
}

export type ImportWorkerMessage =
  | { type: 'progress'; progress: ImportProgress }
  | { type: 'done'; result: ImportResult }
  | { type: 'error'; name: string; message: string; stack?: string };

if (parentPort && workerData) {
  const port = parentPort;
  const d = workerData as ImportWorkerData;
  const abort = new AbortController();
  port.on('message', (m) => { if (m === 'abort') abort.abort(new Error('import cancelled')); });
  port.unref(); // the listener alone does not keep this thread alive once the import is done
  let last = 0;
  let lastFile = -1;
  const onProgress = (p: ImportProgress) => {
    const now = performance.now();
    // The first bytes of each file and the end at once (the host shows them), else every 50 ms
    // (after reading, the dedup passes' steps too: importCorpus's `dedup`).
    const end = p.bytesRead === p.totalBytes && (!p.dedup || p.dedup.done === p.dedup.total);
    if (now - last < 50 && p.fileIndex === lastFile && !end) return;
    last = now; lastFile = p.fileIndex;
    port.postMessage({ type: 'progress', progress: p } satisfies ImportWorkerMessage);
  };
  importCorpus({ ...d.opts, ...(d.tokenizer ? { tokenizer: new Tokenizer(d.tokenizer) } : {}), onProgress, signal: abort.signal }).then(
    (result) => port.postMessage({ type: 'done', result } satisfies ImportWorkerMessage),
    (error: unknown) => {
      const e = error instanceof Error ? error : new Error(String(error));
      port.postMessage({ type: 'error', name: e.name, message: e.message, stack: e.stack } satisfies ImportWorkerMessage);
    },
  );
}
