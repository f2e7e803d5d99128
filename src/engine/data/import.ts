// Corpus import: files and folders → one normalized, de-duplicated documents store with
// statistics. Streams every file in chunks (memory does not grow with corpus size, only with
// the number of distinct documents: 16 bytes each for duplicate detection), reports every
// problem as a CorpusIssue and goes on with the rest, and publishes the result atomically.
import { createHash } from 'node:crypto';
import { open, readdir, rm, stat, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeJsonAtomic } from '../runstore/atomic';
import { TimeSlicer } from '../tokenizers/time-slice';
import type { Tokenizer } from '../tokenizers/tokenizer';
import { detectEncoding, SAMPLE_BYTES } from './detect';
import { extractCsv, extractJsonl, extractText, FileSkip, formatOf, type FormatOptions } from './formats';
import { HashSet64 } from './hashset64';
import { hash64 } from './hash64';
import type { CorpusIssue } from './issues';
import { readLines } from './lines';
import { CORPUS_FORMAT_VERSION, DocumentWriter, publishDir, tempDirFor, type CorpusFileEntry, type CorpusManifest } from './store';
import { StatsAccumulator } from './stats';

export interface ImportOptions {
  /** Files and folders (searched recursively for .txt .md .jsonl .ndjson .csv .tsv). */
  inputs: string[];
  /** The corpus directory to create (replaced atomically if it exists). */
  outDir: string;
  textField?: string;
  labelField?: string | null;
  textColumn?: string;
  labelColumn?: string | null;
  csvQuoting?: boolean;
  /** Lines longer than this are skipped and reported (default 8 MiB). */
  maxLineBytes?: number;
  /** .txt/.md: a document per paragraph (default) or per file (see formats.ts). */
  textDocuments?: 'paragraph' | 'file';
  /** Text paragraphs longer than this are cut at a line boundary (default 1,000,000). */
  maxDocumentChars?: number;
  /** Issues listed per file before a 'too-many-issues' summary (default 50). */
  maxIssuesPerFile?: number;
  /** Drop exact-duplicate documents (default true). Off for reference workloads that must see
   *  the file as it is (nanoGPT's shakespeare_char repeats short speeches such as "Away!"). */
  dedup?: boolean;
  /** Count tokens too (stats.tokens). */
  tokenizer?: Tokenizer;
  onProgress?: (p: ImportProgress) => void;
  signal?: AbortSignal;
}

export interface ImportProgress {
  file: string;
  fileIndex: number;
  files: number;
  bytesRead: number;
  totalBytes: number;
  documents: number;
}

export interface ImportResult {
  /** The corpus directory, or null when nothing could be imported. */
  dir: string | null;
  manifest: CorpusManifest | null;
  issues: CorpusIssue[];
}

/** NFC, and every line ending as '\n'. */
export function normalizeText(text: string): string {
  return text.replace(/\r\n?/g, '\n').normalize('NFC');
}

export interface FoundFile { path: string; bytes: number; mtimeMs: number }

/** The files an import of `inputs` would read (folders searched recursively, in name order). */
export async function discover(inputs: string[], issues: CorpusIssue[] = []): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // One of our own corpus stores (e.g. a data dir inside the folder being imported): skip it.
    if (entries.some((e) => e.name === 'manifest.json') && entries.some((e) => e.name === 'documents.jsonl')) return;
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if ((e.isFile() || e.isSymbolicLink()) && formatOf(p) !== null) {
        // Symlinked files are followed; symlinked folders are not (no loops).
        const st = await stat(p).catch(() => null);
        if (st?.isFile()) found.push({ path: p, bytes: st.size, mtimeMs: st.mtimeMs });
      }
    }
  };
  for (const input of inputs) {
    const p = resolve(input);
    let st;
    try { st = await stat(p); } catch {
      issues.push({ file: p, code: 'not-found', severity: 'error', message: 'no such file or folder' });
      continue;
    }
    if (st.isDirectory()) await walk(p);
    else if (formatOf(p) === null) issues.push({ file: p, code: 'unsupported-type', severity: 'error', message: 'not a .txt, .md, .jsonl, .csv or .tsv file; skipped' });
    else found.push({ path: p, bytes: st.size, mtimeMs: st.mtimeMs });
  }
  return found;
}

/** sha256 over (text, label) of every document, fed in ~1 MB slices (per-document updates were slow). */
class ContentHash {
  private readonly hash = createHash('sha256');
  private parts: string[] = [];
  private size = 0;
  add(text: string, label: string | undefined): void {
    this.parts.push(text, '\u0000', label ?? '', '\u0001');
    this.size += text.length;
    if (this.size >= 1 << 20) this.flush();
  }
  private flush(): void { this.hash.update(this.parts.join('')); this.parts = []; this.size = 0; }
  digest(): string { this.flush(); return this.hash.digest('hex'); }
}

export async function importCorpus(opts: ImportOptions): Promise<ImportResult> {
  const issues: CorpusIssue[] = [];
  const files = await discover(opts.inputs, issues);
  const totalBytes = files.reduce((s, f) => s + f.bytes, 0);
  const maxLineBytes = opts.maxLineBytes ?? 8 * 1024 * 1024;
  const fmt: FormatOptions = {
    textField: opts.textField ?? 'text', labelField: opts.labelField, textColumn: opts.textColumn, labelColumn: opts.labelColumn,
    csvQuoting: opts.csvQuoting, textDocuments: opts.textDocuments ?? 'paragraph', maxDocumentChars: opts.maxDocumentChars ?? 1_000_000, maxLineBytes,
  };
  const outDir = resolve(opts.outDir);
  await mkdir(join(outDir, '..'), { recursive: true });
  const tmp = tempDirFor(outDir);
  await mkdir(tmp);
  try {
    const writer = new DocumentWriter(join(tmp, 'documents.jsonl'));
    const stats = new StatsAccumulator();
    const seen = new HashSet64();
    const content = new ContentHash();
    const slicer = new TimeSlicer();
    const entries: CorpusFileEntry[] = [];
    let bytesBefore = 0;
    for (let fi = 0; fi < files.length; fi++) {
      const { path, bytes } = files[fi];
      const format = formatOf(path)!;
      const entry: CorpusFileEntry = { path, format, encoding: null, bytes, documents: 0, imported: false };
      entries.push(entry);
      let fileIssues = 0;
      const maxIssues = opts.maxIssuesPerFile ?? 50;
      const report = (i: Omit<CorpusIssue, 'file'>) => {
        fileIssues++;
        if (fileIssues <= maxIssues) issues.push({ file: path, ...i });
        else if (fileIssues === maxIssues + 1) issues.push({ file: path, code: 'too-many-issues', severity: 'warning', message: `more than ${maxIssues} issues in this file; the rest are not listed` });
      };
      const progress = (read: number) => opts.onProgress?.({ file: path, fileIndex: fi, files: files.length, bytesRead: bytesBefore + Math.min(read, bytes), totalBytes, documents: stats.stats.documents });
      progress(0);
      try {
        if (bytes === 0) { report({ code: 'empty-file', severity: 'error', message: 'the file is empty' }); continue; }
        const fh = await open(path, 'r');
        const sample = Buffer.alloc(Math.min(SAMPLE_BYTES, bytes));
        try { await fh.read(sample, 0, sample.length, 0); } finally { await fh.close(); }
        const det = detectEncoding(sample, sample.length === bytes);
        if (!det.ok) {
          const line = 1 + sample.subarray(0, det.offset).filter((b) => b === 0x0a).length;
          report({ line, offset: det.offset, code: det.code, severity: 'error', message: `${det.message}; file skipped` });
          continue;
        }
        entry.encoding = det.encoding;
        entry.imported = true;
        const sink = async (raw: string, label: string | undefined) => {
          const text = normalizeText(raw);
          if (text.trim() === '') { stats.stats.emptyDropped++; return; }
          const [h1, h2] = hash64(text);
          if (opts.dedup !== false && !seen.add(h1, h2)) { stats.stats.duplicatesDropped++; return; }
          const doc = label === undefined ? { text, source: fi } : { text, label: normalizeText(label), source: fi };
          await writer.write(doc);
          content.add(text, doc.label);
          stats.add(text, doc.label, opts.tokenizer ? opts.tokenizer.encode(text).length : undefined);
          entry.documents++;
          await slicer.tick();
        };
        const events = readLines(path, { encoding: det.encoding, bomLength: det.bomLength, maxLineBytes, onBytes: progress, signal: opts.signal });
        if (format === 'text') await extractText(events, fmt, sink, report);
        else if (format === 'jsonl') await extractJsonl(events, fmt, sink, report);
        else await extractCsv(events, fmt, format === 'csv' ? ',' : '\t', fmt.csvQuoting ?? format === 'csv', sink, report);
        if (entry.documents === 0 && fileIssues === 0) report({ code: 'empty-file', severity: 'error', message: 'no text in this file (only blank lines)' });
      } catch (err) {
        if (err instanceof FileSkip) {
          report({ line: err.detail.line, code: err.detail.code, severity: 'error', message: err.detail.message });
        } else if (opts.signal?.aborted) {
          throw err;
        } else {
          report({ code: 'read-failed', severity: 'error', message: `could not read: ${(err as Error).message}` });
        }
        if (entry.documents === 0) entry.imported = false;
      } finally {
        bytesBefore += bytes;
      }
    }
    await writer.close();
    if (stats.stats.documents === 0) {
      issues.push({ file: files.length === 1 ? files[0].path : opts.inputs.join(', '), code: 'no-documents', severity: 'error', message: 'no documents could be imported' });
      await rm(tmp, { recursive: true, force: true });
      return { dir: null, manifest: null, issues };
    }
    const manifest: CorpusManifest = {
      version: CORPUS_FORMAT_VERSION, createdAt: new Date().toISOString(), contentHash: content.digest(),
      files: entries, stats: stats.stats, issues,
      options: { textField: fmt.textField, labelField: fmt.labelField ?? null, textColumn: fmt.textColumn ?? null, labelColumn: fmt.labelColumn ?? null, csvQuoting: fmt.csvQuoting ?? null, maxLineBytes, textDocuments: fmt.textDocuments, maxDocumentChars: fmt.maxDocumentChars, dedup: opts.dedup !== false },
    };
    writeJsonAtomic(join(tmp, 'manifest.json'), manifest);
    await publishDir(tmp, outDir);
    return { dir: outDir, manifest, issues };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
