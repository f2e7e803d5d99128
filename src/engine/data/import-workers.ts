// Imports off the host's event loop (headless Node): importCorpus runs in a worker thread
// (import-worker.ts) and this thread only relays its progress, its cancel and its result, so the
// host keeps answering commands while a large corpus is read, checked and written. Same options
// and result as importCorpus; an error comes back with its name and message (and the worker's
// stack), a cancel as the signal's reason once the worker has removed its temporary folder.
// Where worker threads are not available (the app's engine Web Worker) or the input is small
// (starting a worker costs ~0.3 s from sources), the import runs in this thread.
import type { Worker as ThreadWorker } from 'node:worker_threads';
import { discover, importCorpus, type ImportOptions, type ImportResult } from './import';
import type { ImportWorkerData, ImportWorkerMessage } from './import-worker';
import { startWorker, workerScript } from './shard-workers';

export interface ImportThreadOptions {
  /** true: a worker whatever the size; false: this thread (default: a worker from minWorkerBytes). */
  worker?: boolean;
  /** Below this many bytes of input files the default is this thread (default 4 MB). */
  minWorkerBytes?: number;
}

export async function importCorpusOffThread(opts: ImportOptions, how: ImportThreadOptions = {}): Promise<ImportResult> {
  const script = how.worker === false ? null : workerScript('import-worker');
  if (!script || (how.worker === undefined && (await inputBytes(opts)) < (how.minWorkerBytes ?? 4e6))) return importCorpus(opts);
  const { Worker } = await import('node:worker_threads');
  const { onProgress, signal, tokenizer, ...plain } = opts;
  signal?.throwIfAborted();
  const data: ImportWorkerData = { opts: plain, ...(tokenizer ? { tokenizer: tokenizer.json } : {}) };
  const w: ThreadWorker = startWorker(Worker, script, data, 'import');
  const exited = new Promise<void>((r) => w.once('exit', () => r()));
  // Asked, not terminated: the importer stops at its next chunk and removes its temporary folder.
  const stop = () => w.postMessage('abort');
  signal?.addEventListener('abort', stop, { once: true });
  try {
    return await new Promise<ImportResult>((resolve, reject) => {
      let settled = false;
      w.on('message', (m: ImportWorkerMessage) => {
        if (m.type === 'progress') { onProgress?.(m.progress); return; }
        settled = true;
        if (m.type === 'done') resolve(m.result);
        else reject(signal?.aborted ? signal.reason : rebuilt(m));
      });
      w.on('error', (e) => { settled = true; reject(e); });
      w.once('exit', (code) => { if (!settled) reject(new Error(`the import worker exited with code ${code} before it finished`)); });
    });
  } catch (err) {
    // One that does not answer within 10 s is terminated.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => { timer = setTimeout(r, 10_000); })]);
    clearTimeout(timer);
    await w.terminate();
    throw err;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

/** The worker's error as an Error of the same name and message, with the worker's stack. */
function rebuilt(m: Extract<ImportWorkerMessage, { type: 'error' }>): Error {
  const e = new Error(m.message);
  e.name = m.name;
  if (m.stack) e.stack = m.stack;
  return e;
}

async function inputBytes(opts: ImportOptions): Promise<number> {
  try {
    const files = await discover([...opts.inputs, ...(opts.targetFiles ?? [])]);
    return files.reduce((s, f) => s + f.bytes, 0);
  } catch {
    return 0; // the import says what is wrong with the inputs
  }
}
