// Tokenizer training with its counting pass on worker threads (headless Node): the corpus's
// documents.jsonl files are cut into line-aligned byte ranges (shard-workers.ts lineRanges), each
// range's words are counted by a worker (tokenizer-count-worker.ts), and the counts are merged
// here in input order; the merges then run as in-thread training does. The tokenizer is the one
// trainTokenizer trains over the same texts: the counts and their order are the same (see
// mergeCounts), the sample takes the same documents (by their index in the whole input), and the
// character limit cuts at the same document (the range it falls in is counted again up to it).
// Where worker threads are not available (the app's engine Web Worker) or the input is small, the
// texts are counted in this thread.
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Worker as ThreadWorker } from 'node:worker_threads';
import { trainTokenizer, trainTokenizerWith, type CountTask, type TrainTokenizerHooks, type TrainTokenizerOptions } from '../tokenizers/train';
import type { Tokenizer } from '../tokenizers/tokenizer';
import { mergeCounts } from '../tokenizers/word-count';
import { pairSide } from './pair-tokenizer';
import { defaultShardWorkers, lineRanges, startWorker, workerScript, type ShardWorkerScript } from './shard-workers';
import { readTexts } from './store';
import type { CountWorkerData, CountWorkerMessage } from './tokenizer-count-worker';

/** What a tokenizer trains on: imported corpora, read in order as one input. */
export interface CorpusTexts {
  corpusDirs: string[];
  /** Only every k-th document (tokenizer-sample.ts; default 1). */
  every?: number;
  /** One side of paired documents (default: whole documents). */
  side?: 'both' | 'source' | 'target';
}

export interface CorpusTrainHooks extends TrainTokenizerHooks {
  /** Counting workers: 0 counts in this thread (default: defaultShardWorkers() from minWorkerBytes of input). */
  workers?: number;
  /** Below this many bytes of documents the default is this thread (default 4 MB: starting workers costs ~0.3 s). */
  minWorkerBytes?: number;
}

export async function trainCorpusTokenizer(src: CorpusTexts, opts: TrainTokenizerOptions, hooks: CorpusTrainHooks = {}): Promise<Tokenizer> {
  const files = src.corpusDirs.map((d) => join(d, 'documents.jsonl'));
  const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
  const bytes = sizes.reduce((a, b) => a + b, 0);
  const workers = hooks.workers ?? (bytes >= (hooks.minWorkerBytes ?? 4e6) ? defaultShardWorkers() : 0);
  const script = workers > 0 ? workerScript('tokenizer-count-worker') : null;
  if (!script) return trainTokenizer(corpusTexts(src), opts, hooks);
  return trainTokenizerWith((task) => countOnWorkers(files, sizes, src, task, workers, script, hooks), opts, hooks);
}

/** The texts in this thread, as the workers select them. */
async function* corpusTexts(src: CorpusTexts): AsyncGenerator<string> {
  const every = src.every ?? 1;
  const side = src.side ?? 'both';
  let i = 0;
  for (const dir of src.corpusDirs) {
    for await (const text of readTexts(dir)) if (i++ % every === 0) yield side === 'both' ? text : pairSide(text, side);
  }
}

interface Job { docsPath: string; start: number; end: number; firstIndex: number }

/** Worker threads still running (tests check that a cancel leaves none). */
const live = new Set<ThreadWorker>();
export function liveCountWorkers(): number {
  return live.size;
}

async function countOnWorkers(
  files: string[], sizes: number[], src: CorpusTexts, task: CountTask, workers: number, script: ShardWorkerScript, hooks: CorpusTrainHooks,
): Promise<Map<string, number>> {
  const { Worker } = await import('node:worker_threads');
  const every = src.every ?? 1;
  const total = sizes.reduce((a, b) => a + b, 0);
  // Ranges in input order, about `workers` of them over all files.
  const jobs: Job[] = [];
  let index = 0;
  for (const [f, docsPath] of files.entries()) {
    const parts = Math.max(1, Math.round((workers * sizes[f]) / Math.max(1, total)));
    for (const [start, end] of await lineRanges(docsPath, parts)) {
      if (end <= start) continue;
      jobs.push({ docsPath, start, end, firstIndex: index });
      // The sample picks documents by index in the whole input: each range needs its first's.
      if (every > 1) index += await documentsIn(docsPath, start, end);
    }
  }
  const expected = hooks.expectedChars !== undefined ? Math.min(task.limit, hooks.expectedChars) : 0;
  const progress = new Array<number>(jobs.length).fill(0);
  // Ranges past the limit's cut count characters that are not kept: below 1 until the counts are merged.
  const report = () => { if (expected > 0) task.onFraction(Math.min(0.99, progress.reduce((a, b) => a + b, 0) / expected)); };

  const running = new Set<ThreadWorker>();
  let failed = false;
  const stop = () => { for (const w of running) void w.terminate(); };
  hooks.signal?.addEventListener('abort', stop, { once: true });
  const run = (j: number, budget: number) => new Promise<{ chars: number; counts: Map<string, number> }>((resolve, reject) => {
    hooks.signal?.throwIfAborted();
    if (failed) { reject(new Error('tokenizer counting stopped')); return; }
    const data: CountWorkerData = { spec: task.spec, ...jobs[j], every, side: src.side ?? 'both', budget };
    const w = startWorker(Worker, script, data, `tokenizer count ${j + 1}/${jobs.length}`);
    running.add(w); live.add(w);
    let settled = false;
    w.on('message', (m: CountWorkerMessage) => {
      if (m.type === 'progress') { progress[j] = m.chars; report(); return; }
      settled = true;
      if (m.type === 'done') { progress[j] = m.chars; report(); resolve(m); } else reject(new Error(`tokenizer count worker ${j + 1}: ${m.message}`));
    });
    w.on('error', (e) => { settled = true; reject(e); });
    w.once('exit', (code) => {
      running.delete(w); live.delete(w);
      if (!settled) reject(hooks.signal?.aborted ? hooks.signal.reason : new Error(`tokenizer count worker ${j + 1} exited with code ${code} before it finished`));
    });
  });
  try {
    // At most `workers` at once; a range is not started once the ranges before it reach the limit.
    const results: { chars: number; counts: Map<string, number> }[] = [];
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < jobs.length) {
        const j = next++;
        let before = 0;
        for (let i = 0; i < j && results[i]; i++) before += results[i].chars;
        if (before >= task.limit) break; // `before` sums only the finished ranges in a row from the first
        results[j] = await run(j, task.limit);
      }
    };
    await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, lane));
    // The range where the limit is reached is counted again up to the document that reaches it.
    const used: Map<string, number>[] = [];
    let before = 0;
    for (let j = 0; j < jobs.length && results[j]; j++) {
      if (before + results[j].chars < task.limit) { used.push(results[j].counts); before += results[j].chars; continue; }
      used.push(j === 0 ? results[j].counts : (await run(j, task.limit - before)).counts);
      break;
    }
    task.onFraction(1);
    return mergeCounts(used);
  } catch (err) {
    // Nothing is left running: every worker has exited when this throws.
    failed = true;
    const left = [...running];
    await Promise.all(left.map((w) => w.terminate()));
    for (const w of left) { running.delete(w); live.delete(w); }
    throw hooks.signal?.aborted ? hooks.signal.reason : err;
  } finally {
    hooks.signal?.removeEventListener('abort', stop);
  }
}

/** Documents (non-empty lines, as readDocuments reads them) in [start, end) of a JSON-lines file. */
async function documentsIn(path: string, start: number, end: number): Promise<number> {
  const fh = await open(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let docs = 0;
  let lineLength = 0;
  try {
    for (let pos = start; pos < end;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - pos), pos);
      if (bytesRead === 0) break;
      for (let i = 0; i < bytesRead;) {
        const nl = buf.indexOf(10, i);
        const stop = nl < 0 || nl >= bytesRead ? bytesRead : nl;
        lineLength += stop - i;
        if (stop === bytesRead) break;
        if (lineLength > 0) docs++;
        lineLength = 0;
        i = stop + 1;
      }
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return lineLength > 0 ? docs + 1 : docs;
}
