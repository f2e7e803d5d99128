// The imported corpus on disk: a directory written once, atomically (built under a temporary
// name beside the target, then renamed into place), holding
//   documents.jsonl  one {"text": string, "label"?: string, "source": fileIndex} per line
//   manifest.json    CorpusManifest: inputs, options, statistics, issues, content hash
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { fsyncDirectory } from '../runstore/atomic';
import type { CorpusIssue } from './issues';
import type { CorpusStats } from './stats';
import type { Encoding } from './detect';
import type { CorpusFormat } from './formats';

export const CORPUS_FORMAT_VERSION = 1;

export interface CorpusDocument {
  text: string;
  label?: string;
  /** Index into manifest.files. */
  source: number;
}

export interface CorpusFileEntry {
  path: string;
  format: CorpusFormat;
  encoding: Encoding | null;
  bytes: number;
  documents: number;
  /** False when the file was skipped (see issues). */
  imported: boolean;
}

export interface CorpusManifest {
  version: number;
  createdAt: string;
  /** sha256 over every document's text and label, in order: identifies the content. */
  contentHash: string;
  files: CorpusFileEntry[];
  stats: CorpusStats;
  issues: CorpusIssue[];
  options: Record<string, unknown>;
}

export class DocumentWriter {
  private readonly out: WriteStream;
  private failed: Error | null = null;
  private buffer: string[] = [];
  private buffered = 0;
  constructor(path: string) {
    this.out = createWriteStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
    this.out.on('error', (e) => { this.failed = e; });
  }
  /** Buffers ~1 MB of lines per write call: per-document writes dominated the import's time. */
  async write(doc: CorpusDocument): Promise<void> {
    // Assembled by hand: the same JSON as JSON.stringify(doc), without walking an object.
    const line = `{"text":${JSON.stringify(doc.text)}${doc.label !== undefined ? `,"label":${JSON.stringify(doc.label)}` : ''},"source":${doc.source}}`;
    this.buffer.push(line);
    this.buffered += line.length + 1;
    if (this.buffered >= 1 << 20) await this.flush();
  }
  private async flush(): Promise<void> {
    if (this.failed) throw this.failed;
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('\n') + '\n';
    this.buffer = []; this.buffered = 0;
    if (!this.out.write(chunk)) {
      await once(this.out, 'drain');
    }
  }
  /** Stops writing and closes the file without flushing (an import that failed or was cancelled). */
  async discard(): Promise<void> {
    this.buffer = []; this.buffered = 0;
    if (this.out.closed) return;
    const closed = once(this.out, 'close').catch(() => undefined);
    this.out.destroy();
    await closed;
  }
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (this.failed) throw this.failed;
  }
}

export function tempDirFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now().toString(36)}`);
}

/** Move a finished temporary directory to `target`, replacing any previous one. */
export async function publishDir(tmp: string, target: string): Promise<void> {
  const old = `${tmp}.old`;
  let hadOld = false;
  try { await rename(target, old); hadOld = true; } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; }
  await rename(tmp, target);
  fsyncDirectory(dirname(target));
  if (hadOld) await rm(old, { recursive: true, force: true });
}

export async function loadManifest(corpusDir: string): Promise<CorpusManifest> {
  const m = JSON.parse(await readFile(join(corpusDir, 'manifest.json'), 'utf8')) as CorpusManifest;
  if (m.version !== CORPUS_FORMAT_VERSION) throw new Error(`corpus ${corpusDir}: format version ${m.version}, expected ${CORPUS_FORMAT_VERSION}; import again`);
  return m;
}

/** Stream the documents of an imported corpus, in order. */
export async function* readDocuments(corpusDir: string): AsyncGenerator<CorpusDocument> {
  const rl = createInterface({ input: createReadStream(join(corpusDir, 'documents.jsonl'), { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const line of rl) if (line) yield JSON.parse(line) as CorpusDocument;
}

/** Just the texts (what tokenizer training wants). */
export async function* readTexts(corpusDir: string): AsyncGenerator<string> {
  for await (const d of readDocuments(corpusDir)) yield d.text;
}
