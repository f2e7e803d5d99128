// Shard encoding on worker threads (headless Node): documents.jsonl is cut into contiguous byte
// ranges on line boundaries, one per worker; each worker encodes its range, in order, into a part
// file (shard-worker.ts), with its documents' token counts and labels in two more files; the
// parts are then copied, in document order, into shard files of `shardTokens` tokens, docs.bin
// and labels.bin: the same bytes the in-thread builder writes, through fixed buffers. The host's thread only
// waits on messages and copies files, so it keeps answering commands meanwhile.
// Where worker threads are not available (the desktop app's engine runs in a Web Worker of
// Electron's engine window) or the worker script cannot be found, shardWorkerPlan says so and
// the caller encodes in its own thread, time-sliced.
import { existsSync } from 'node:fs';
import { open, rm, stat, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Worker as ThreadWorker } from 'node:worker_threads';
import { Tokenizer } from '../tokenizers/tokenizer';
import { PairTokenizer, type ShardTokenizer } from './pair-tokenizer';
import type { ShardWorkerData, ShardWorkerMessage } from './shard-worker';
import { numberChunks, RangedNumbers } from './number-list';
import { NumberWriter } from './number-writer';

/** Where the worker script is and how to start it; null where workers cannot run here. */
export interface ShardWorkerScript {
  path: string;
  /** From sources: tsx's ESM API (file URL), registered in the worker before it loads `path`. */
  tsx?: string;
}

/** Default number of workers: one core stays for the host (and the GPU's driver), at most 4. */
export function defaultShardWorkers(): number {
  return Math.max(1, Math.min(availableParallelism() - 1, 4));
}

/** The shard-encoding worker script (see workerScript). */
export function shardWorkerScript(): ShardWorkerScript | null {
  return workerScript('shard-worker');
}

/**
 * A worker script next to this module: `<name>.ts` when running from sources (tsx, vitest: the
 * worker loads it through tsx too), `<name>.js` beside a bundle (out/main). Null inside Electron
 * (the app's engine is a Web Worker there) or when neither is found.
 */
export function workerScript(name: string): ShardWorkerScript | null {
  if (process.versions.electron || typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined') return null;
  let here: string;
  try {
    here = dirname(fileURLToPath(import.meta.url));
  } catch {
    return null;
  }
  const source = join(here, `${name}.ts`);
  if (existsSync(source)) {
    // A worker does not inherit the parent's loaders (and `--import tsx` in its execArgv is not
    // applied on Node 20): it registers tsx's ESM hooks itself. The package's `require` entry is
    // found, and its ESM twin (index.mjs beside index.cjs) used.
    try {
      const api = createRequire(join(here, 'x.js')).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
      if (existsSync(api)) return { path: source, tsx: pathToFileURL(api).href };
    } catch { /* no tsx: encode in this thread */ }
    return null;
  }
  for (const dir of [here, join(here, '..'), process.argv[1] ? dirname(process.argv[1]) : '']) {
    const built = dir && join(dir, `${name}.js`);
    if (built && existsSync(built)) return { path: built };
  }
  return null;
}

/** Starts the worker script (through tsx from sources). */
export function startWorker(W: typeof ThreadWorker, script: ShardWorkerScript, workerData: unknown, name: string): ThreadWorker {
  if (!script.tsx) return new W(script.path, { workerData, name });
  const target = pathToFileURL(script.path).href;
  const boot = `import(${JSON.stringify(script.tsx)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); })` +
    `.catch((e) => { require('node:worker_threads').parentPort.postMessage({ type: 'error', message: 'could not load ' + ${JSON.stringify(script.path)} + ': ' + (e && e.message) }); });`;
  return new W(boot, { eval: true, workerData, name });
}

/** Cuts [0, size) of a JSON-lines file into up to `parts` ranges that start and end on line boundaries. */
export async function lineRanges(path: string, parts: number): Promise<[number, number][]> {
  const size = (await stat(path)).size;
  const cuts = [0];
  const fh = await open(path, 'r');
  try {
    const probe = Buffer.alloc(1 << 16);
    for (let k = 1; k < parts; k++) {
      // The first line start at or after the nominal cut (a document may be megabytes long).
      let pos = Math.max(cuts[cuts.length - 1], Math.floor((size * k) / parts) - 1);
      let cut = size;
      while (pos < size) {
        const { bytesRead } = await fh.read(probe, 0, probe.length, pos);
        const nl = probe.subarray(0, bytesRead).indexOf(10);
        if (nl >= 0) { cut = pos + nl + 1; break; }
        pos += bytesRead;
      }
      if (cut > cuts[cuts.length - 1] && cut < size) cuts.push(cut);
    }
  } finally {
    await fh.close();
  }
  cuts.push(size);
  return cuts.slice(0, -1).map((c, i) => [c, cuts[i + 1]]);
}

/** What an encoder wrote into its folder: the shard files, docs.bin and labels.bin (index into `labels` per document, -1 for none; labels numbered by first appearance). */
export interface WorkerEncodeResult {
  shards: { file: string; tokens: number }[];
  documents: number;
  labels: string[];
  total: number;
}

export interface WorkerEncodeOptions {
  docsPath: string;
  /** A tokenizer, or a seq2seq run's pair of tokenizers (each worker rebuilds it from their JSON). */
  tokenizer: ShardTokenizer;
  separator: number[];
  dtype: 'uint16' | 'uint32';
  shardTokens: number;
  /** The temporary shard folder: parts are written here and removed once copied. */
  dir: string;
  workers: number;
  script: ShardWorkerScript;
  totalDocuments: number;
  onProgress?: (p: { documents: number; totalDocuments: number; tokens: number }) => void;
  signal?: AbortSignal;
}

type Done = Extract<ShardWorkerMessage, { type: 'done' }>;

function tokenizerJsonOf(tok: ShardTokenizer): Pick<ShardWorkerData, 'tokenizer' | 'target'> {
  if (tok instanceof PairTokenizer) return { tokenizer: tok.source.json, target: tok.target.json };
  if (tok instanceof Tokenizer) return { tokenizer: tok.json };
  throw new Error('shard workers: the tokenizer is neither a Tokenizer nor a PairTokenizer');
}

export async function encodeWithWorkers(o: WorkerEncodeOptions): Promise<WorkerEncodeResult> {
  const { Worker } = await import('node:worker_threads');
  const ranges = await lineRanges(o.docsPath, o.workers);
  const parts = ranges.map((_, i) => join(o.dir, `part-${i}.bin`));
  const done = new Array<number>(ranges.length).fill(0);
  const tokens = new Array<number>(ranges.length).fill(0);
  const workers: ThreadWorker[] = [];
  const exits: Promise<void>[] = [];
  // Asked, not terminated: each worker stops at its next document and closes its part file
  // itself (terminate() is kept for one that does not answer).
  const stopAll = () => { for (const w of workers) w.postMessage('stop'); };
  o.signal?.addEventListener('abort', stopAll, { once: true });
  let results: Done[];
  try {
    o.signal?.throwIfAborted();
    results = await Promise.all(ranges.map(([start, end], i) => new Promise<Done>((resolve, reject) => {
      const data: ShardWorkerData = { ...tokenizerJsonOf(o.tokenizer), docsPath: o.docsPath, start, end, outPath: parts[i], lengthsPath: `${parts[i]}.lengths`, labelsPath: `${parts[i]}.labels`, dtype: o.dtype, separator: o.separator };
      const w = startWorker(Worker, o.script, data, `shards ${i + 1}/${ranges.length}`);
      workers.push(w);
      exits.push(new Promise<void>((r) => w.once('exit', () => r())));
      let settled = false;
      w.on('message', (m: ShardWorkerMessage) => {
        if (m.type === 'progress') {
          done[i] = m.documents;
          tokens[i] = m.tokens;
          o.onProgress?.({ documents: done.reduce((a, b) => a + b, 0), totalDocuments: o.totalDocuments, tokens: tokens.reduce((a, b) => a + b, 0) });
        } else if (m.type === 'done') { settled = true; resolve(m); } else { settled = true; reject(new Error(`shard worker ${i + 1}: ${m.message}`)); }
      });
      w.on('error', (e) => { settled = true; reject(e); });
      w.on('exit', (code) => {
        if (settled) return;
        reject(o.signal?.aborted ? o.signal.reason : new Error(`shard worker ${i + 1} exited with code ${code} before it finished`));
      });
    })));
  } catch (err) {
    stopAll();
    // Each stops at its next document; one stuck past 10 s is terminated.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(exits), new Promise((r) => { timer = setTimeout(r, 10_000); })]);
    clearTimeout(timer);
    await Promise.all(workers.map((w) => w.terminate()));
    throw o.signal?.aborted ? o.signal.reason : err;
  } finally {
    o.signal?.removeEventListener('abort', stopAll);
  }

  const { labels, total } = await mergeDocuments(results, parts, o.dir, o.signal);
  const shards = await concatParts(parts, o.dir, o.dtype === 'uint16' ? 2 : 4, o.shardTokens, o.signal);
  return { shards, documents: results.reduce((n, r) => n + r.documents, 0), labels, total };
}

/**
 * The parts' documents in order into docs.bin (offsets) and labels.bin (labels renumbered by
 * first appearance in the whole corpus), read and written in blocks; the parts' lists are removed.
 */
async function mergeDocuments(results: Done[], parts: string[], dir: string, signal?: AbortSignal): Promise<{ labels: string[]; total: number }> {
  const starts = new NumberWriter(join(dir, 'docs.bin'), 'uint64');
  const docLabels = new NumberWriter(join(dir, 'labels.bin'), 'int32');
  const labelIndex = new Map<string, number>();
  let total = 0;
  try {
    starts.push(0);
    for (let p = 0; p < results.length; p++) {
      const r = results[p];
      const global = r.labelNames.map((name) => {
        if (!labelIndex.has(name)) labelIndex.set(name, labelIndex.size);
        return labelIndex.get(name)!;
      });
      const lengths = new RangedNumbers(`${parts[p]}.lengths`, 'int32', r.documents, { cacheBlocks: 1, blockItems: 1 << 16 });
      const local = new RangedNumbers(`${parts[p]}.labels`, 'int32', r.documents, { cacheBlocks: 1, blockItems: 1 << 16 });
      for (const { at, values } of numberChunks(lengths, 0, r.documents, 1 << 16)) {
        signal?.throwIfAborted();
        const ls = local.subarray(at, at + values.length);
        for (let j = 0; j < values.length; j++) {
          total += values[j];
          starts.push(total);
          docLabels.push(ls[j] < 0 ? -1 : global[ls[j]]);
        }
      }
      await rm(`${parts[p]}.lengths`, { force: true });
      await rm(`${parts[p]}.labels`, { force: true });
    }
  } finally {
    starts.close(); docLabels.close();
  }
  return { labels: [...labelIndex.keys()], total };
}

/** The parts' tokens, in order, into tokens-NNNNN.bin files of `shardTokens` tokens (the last shorter). */
async function concatParts(parts: string[], dir: string, width: number, shardTokens: number, signal?: AbortSignal): Promise<{ file: string; tokens: number }[]> {
  const shards: { file: string; tokens: number }[] = [];
  const buf = Buffer.allocUnsafe(Math.min(shardTokens * width, 8 << 20));
  let out: FileHandle | null = null;
  let inShard = 0;
  try {
    for (const part of parts) {
      const input = await open(part, 'r');
      try {
        for (;;) {
          signal?.throwIfAborted();
          // Never past the current shard's end: a shard file holds exactly shardTokens tokens.
          const room = (shardTokens - inShard) * width;
          const { bytesRead } = await input.read(buf, 0, Math.min(buf.length, room));
          if (bytesRead === 0) break;
          if (!out) {
            const file = `tokens-${String(shards.length).padStart(5, '0')}.bin`;
            out = await open(join(dir, file), 'w');
            shards.push({ file, tokens: 0 });
          }
          for (let off = 0; off < bytesRead;) off += (await out.write(buf, off, bytesRead - off)).bytesWritten;
          const n = bytesRead / width;
          shards[shards.length - 1].tokens += n;
          inShard += n;
          if (inShard >= shardTokens) { await out.close(); out = null; inShard = 0; }
        }
      } finally {
        await input.close();
      }
      await rm(part, { force: true });
    }
  } finally {
    if (out) await out.close();
  }
  return shards;
}
