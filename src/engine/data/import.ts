// Corpus import: files and folders → one normalized, de-duplicated documents store with
// statistics. Streams every file in chunks; memory does not grow with corpus size (duplicate
// detection holds at most `dedupMemoryMB` of hashes, then defers to disk: dedup.ts), reports every
// problem as a CorpusIssue and goes on with the rest, and publishes the result atomically.
// Every character read is either imported or counted as dropped with a reason (import-report.ts);
// the report goes into the corpus folder (import-report.json), or beside where it would have
// been when nothing could be imported.
import { createHash } from 'node:crypto';
import { open, readdir, rm, stat, mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { writeJsonAtomic } from '../runstore/atomic';
import { TimeSlicer } from '../tokenizers/time-slice';
import type { Tokenizer } from '../tokenizers/tokenizer';
import { SAMPLE_BYTES, type Encoding } from './detect';
import { detectFileEncoding } from './detect-file';
import { extractCsv, extractJsonl, extractText, FileSkip, formatOf, textLineLimit, type FormatOptions } from './formats';
import { countLines, extractLinePairs, lineCountProblem } from './line-pairs';
import { BoundedDedup } from './dedup';
import { DedupAccount, retractIssue } from './dedup-account';
import { hash64 } from './hash64';
import { FileAccount, type FileReport, type StoredImportReport, writeImportReport } from './import-report';
import type { CorpusIssue } from './issues';
import { codePoints, readLines } from './lines';
import { CORPUS_FORMAT_VERSION, DocumentWriter, publishDir, tempDirFor, type CorpusDocument, type CorpusFileEntry, type CorpusManifest } from './store';
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
  /** Paired rows for seq2seq (formats.ts): source and target column/field, undefined = the first two. */
  pairs?: { source: string | undefined; target: string | undefined } | null;
  /**
   * Paired lines for seq2seq (line-pairs.ts): one target file per input, line-aligned with it (line
   * i of inputs[k] is the source of line i of targetFiles[k]); the inputs must then be files.
   */
  targetFiles?: string[];
  /** Longer lines are skipped (.jsonl/.csv/.tsv) and reported (default 8 MiB). In .txt/.md
   *  lines longer than this or maxDocumentChars are cut into documents (see textLineLimit). */
  maxLineBytes?: number;
  /** .txt/.md: a document per paragraph (default) or per file (see formats.ts). */
  textDocuments?: 'paragraph' | 'file';
  /** Text paragraphs longer than this are cut at a line boundary, and lines longer than this
   *  many bytes at sentence ends (default 1,000,000). */
  maxDocumentChars?: number;
  /** Issues listed per file in `issues` and the manifest before a 'too-many-issues' summary
   *  (default 50). The report lists up to REPORT_ISSUES_PER_FILE and counts them all. */
  maxIssuesPerFile?: number;
  /** Drop exact-duplicate documents (default true). Off for reference workloads that must see
   *  the file as it is (nanoGPT's shakespeare_char repeats short speeches such as "Away!"). */
  dedup?: boolean;
  /**
   * Memory for duplicate detection, MiB (default 64: the hashes of the first 2,097,152 documents,
   * dedupSetCapacity). Later documents are checked against those at once and among themselves
   * after reading, through files in the import's temporary folder (dedup.ts): the corpus is the
   * same whatever the budget.
   */
  dedupMemoryMB?: number;
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
  /**
   * After reading (bytesRead = totalBytes), while documents deferred past the in-memory dedup set
   * are checked among themselves and appended: the work done of the total.
   */
  dedup?: { done: number; total: number };
}

export interface ImportResult {
  /** The corpus directory, or null when nothing could be imported. */
  dir: string | null;
  manifest: CorpusManifest | null;
  issues: CorpusIssue[];
  /** Per-file accounting and every issue counted (also written to `reportPath`). */
  report: StoredImportReport;
  reportPath: string;
}

export const REPORT_FILE = 'import-report.json';
/** Issues listed per file in the report; more are counted, not listed. */
export const REPORT_ISSUES_PER_FILE = 1000;

/** Where an import into `outDir` leaves its report when nothing could be imported (no outDir). */
export function failedReportPath(outDir: string): string {
  return join(dirname(outDir), `${basename(outDir)}.${REPORT_FILE}`);
}

/** NFC, and every line ending as '\n'. */
export function normalizeText(text: string): string {
  return text.replace(/\r\n?/g, '\n').normalize('NFC');
}

export interface FoundFile { path: string; bytes: number; mtimeMs: number; /** Its line-aligned target file (paired lines). */ target?: FoundFile }

/**
 * The files of a paired-lines import: each input with its target file (any extension: every line
 * is one side of a pair). A missing file or a folder is an error naming it; the pair is skipped.
 */
export async function discoverLinePairs(inputs: string[], targets: string[], issues: CorpusIssue[] = []): Promise<FoundFile[]> {
  if (targets.length !== inputs.length) {
    throw new Error(`line-aligned pairs need one target file per corpus file: got ${inputs.length} corpus file${inputs.length === 1 ? '' : 's'} (${inputs.join(', ')}) and ${targets.length} target file${targets.length === 1 ? '' : 's'} (${targets.join(', ')})`);
  }
  const found: FoundFile[] = [];
  const fileAt = async (input: string): Promise<FoundFile | null> => {
    const p = resolve(input);
    const st = await stat(p).catch(() => null);
    if (!st) issues.push({ file: p, code: 'not-found', severity: 'error', message: 'no such file' });
    else if (!st.isFile()) issues.push({ file: p, code: 'unsupported-type', severity: 'error', message: 'not a file: line-aligned pairs are read from two files, line i of one paired with line i of the other' });
    else return { path: p, bytes: st.size, mtimeMs: st.mtimeMs };
    return null;
  };
  for (let k = 0; k < inputs.length; k++) {
    const [source, target] = [await fileAt(inputs[k]), await fileAt(targets[k])];
    if (source && target) found.push({ ...source, target });
  }
  return found;
}

/** A file's encoding from its first bytes (an empty file: UTF-8), or the FileSkip that refuses it. */
async function encodingOf(path: string, bytes: number): Promise<{ encoding: Encoding; bomLength: number; sampleBytes: number }> {
  if (bytes === 0) return { encoding: 'utf8', bomLength: 0, sampleBytes: 0 };
  const fh = await open(path, 'r');
  const sample = Buffer.alloc(Math.min(SAMPLE_BYTES, bytes));
  try { await fh.read(sample, 0, sample.length, 0); } finally { await fh.close(); }
  const det = await detectFileEncoding(path, sample, bytes);
  if (!det.ok) {
    const line = 1 + sample.subarray(0, det.offset).filter((b) => b === 0x0a).length;
    throw new FileSkip({ file: path, line, offset: det.offset, code: det.code, message: `${det.message}; file skipped` });
  }
  return { encoding: det.encoding, bomLength: det.bomLength, sampleBytes: sample.length };
}

/** The files an import of `inputs` would read (folders searched recursively, in name order). */
export async function discover(inputs: string[], issues: CorpusIssue[] = []): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  const walk = async (dir: string, issues: CorpusIssue[]): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // One of our own corpus stores (e.g. a data dir inside the folder being imported): skip it.
    if (entries.some((e) => e.name === 'manifest.json') && entries.some((e) => e.name === 'documents.jsonl')) return;
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p, issues);
      else if ((e.isFile() || e.isSymbolicLink()) && formatOf(p) === null) {
        // Said, not silently passed over: a folder of .doc or .pdf files would otherwise import
        // "nothing" without a reason.
        issues.push({ file: p, code: 'unsupported-type', severity: 'warning', message: 'not a .txt, .md, .jsonl, .csv or .tsv file; not imported' });
      } else if (e.isFile() || e.isSymbolicLink()) {
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
    if (st.isDirectory()) await walk(p, issues);
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
  const files = opts.targetFiles?.length ? await discoverLinePairs(opts.inputs, opts.targetFiles, issues) : await discover(opts.inputs, issues);
  const generalIssues = [...issues];
  const listed: CorpusIssue[] = [];
  let notListed = 0;
  const reports: FileReport[] = [];
  const totalBytes = files.reduce((s, f) => s + f.bytes, 0);
  const maxLineBytes = opts.maxLineBytes ?? 8 * 1024 * 1024;
  const fmt: FormatOptions = {
    textField: opts.textField ?? 'text', labelField: opts.labelField, textColumn: opts.textColumn, labelColumn: opts.labelColumn,
    csvQuoting: opts.csvQuoting, pairs: opts.pairs ?? null, textDocuments: opts.textDocuments ?? 'paragraph', maxDocumentChars: opts.maxDocumentChars ?? 1_000_000, maxLineBytes,
  };
  const outDir = resolve(opts.outDir);
  await mkdir(join(outDir, '..'), { recursive: true });
  const tmp = tempDirFor(outDir);
  await mkdir(tmp);
  let writer: DocumentWriter | null = null;
  let dedup: BoundedDedup | null = null;
  try {
    const docs = new DocumentWriter(join(tmp, 'documents.jsonl'));
    writer = docs;
    const stats = new StatsAccumulator();
    dedup = opts.dedup !== false ? new BoundedDedup({ memoryMB: opts.dedupMemoryMB, dir: tmp, signal: opts.signal }) : null;
    const content = new ContentHash();
    const slicer = new TimeSlicer();
    const entries: CorpusFileEntry[] = [];
    // Per file, kept to the end: documents deferred past the in-memory dedup set are counted
    // (imported or duplicate) only after reading, and what depends on that with them.
    const accounts: DedupAccount[] = [];
    const finish: { fi: number; base: Pick<FileReport, 'path' | 'format' | 'bytes'> }[] = [];
    const deferredIn: number[] = [];
    /** A file with deferred documents and none kept yet: its 'empty-file' issue and `imported` wait. */
    const undecided = new Map<number, { emptyIssue?: { listed: CorpusIssue[]; issues: CorpusIssue[] }; skipped: boolean }>();
    const keep = async (doc: CorpusDocument, chars: number) => {
      await docs.write(doc);
      content.add(doc.text, doc.label);
      stats.add(doc.text, doc.label, opts.tokenizer ? opts.tokenizer.encode(doc.text).length : undefined);
      entries[doc.source].documents++;
      accounts[doc.source].documents++;
      accounts[doc.source].charsImported += chars;
    };
    let bytesBefore = 0;
    for (let fi = 0; fi < files.length; fi++) {
      const { path, target } = files[fi];
      const bytes = files[fi].bytes + (target?.bytes ?? 0);
      const format = target ? 'text' : formatOf(path)!;
      const entry: CorpusFileEntry = { path, format, encoding: null, bytes, documents: 0, imported: false };
      entries.push(entry);
      const acct = new DedupAccount(dedup);
      accounts.push(acct);
      deferredIn.push(0);
      let fileIssues = 0;
      const maxIssues = opts.maxIssuesPerFile ?? 50;
      const report = (i: Omit<CorpusIssue, 'file'> & { file?: string }) => {
        fileIssues++;
        acct.issueCounts[i.code] = (acct.issueCounts[i.code] ?? 0) + 1;
        if (i.severity === 'error') acct.errors++; else acct.warnings++;
        const issue = { ...i, file: i.file ?? path };
        if (fileIssues <= REPORT_ISSUES_PER_FILE) listed.push(issue); else notListed++;
        if (fileIssues <= maxIssues) issues.push(issue);
        else if (fileIssues === maxIssues + 1) issues.push({ file: path, code: 'too-many-issues', severity: 'warning', message: `more than ${maxIssues} issues in this file; the rest are not listed` });
      };
      const progress = (read: number) => opts.onProgress?.({ file: path, fileIndex: fi, files: files.length, bytesRead: bytesBefore + Math.min(read, bytes), totalBytes, documents: stats.stats.documents });
      progress(0);
      try {
        if (files[fi].bytes === 0) { report({ code: 'empty-file', severity: 'error', message: 'the file is empty' }); continue; }
        const det = await encodingOf(path, files[fi].bytes);
        acct.bytesRead = det.sampleBytes;
        entry.encoding = det.encoding;
        entry.imported = true;
        const sink = async (raw: string, label: string | undefined, rawChars: number) => {
          const text = normalizeText(raw);
          const chars = text === raw ? rawChars : codePoints(text);
          acct.drop('normalization', rawChars - chars);
          if (text.trim() === '') { stats.stats.emptyDropped++; acct.drop('blank', chars); return; }
          const doc: CorpusDocument = label === undefined ? { text, source: fi } : { text, label: normalizeText(label), source: fi };
          if (dedup) {
            const [h1, h2] = hash64(text);
            const verdict = dedup.check(h1, h2);
            if (verdict === 'drop') { stats.stats.duplicatesDropped++; acct.drop('duplicate', chars); return; }
            if (verdict === 'defer') {
              await dedup.defer(h1, h2, doc);
              deferredIn[fi]++;
              await slicer.tick();
              return;
            }
          }
          await keep(doc, chars);
          await slicer.tick();
        };
        const events = readLines(path, {
          encoding: det.encoding, bomLength: det.bomLength, maxLineBytes: format === 'text' ? textLineLimit(fmt) : maxLineBytes, splitLongLines: format === 'text', account: acct, onBytes: progress, signal: opts.signal,
        });
        if (target) {
          const tdet = await encodingOf(target.path, target.bytes);
          const lines = (file: string, d: typeof det, account: FileAccount, onBytes?: (n: number) => void) =>
            readLines(file, { encoding: d.encoding, bomLength: d.bomLength, maxLineBytes, account, onBytes, signal: opts.signal });
          const pair = { source: path, target: target.path };
          const counts = { source: await countLines(lines(path, det, new FileAccount())), target: await countLines(lines(target.path, tdet, new FileAccount())) };
          const problem = lineCountProblem(pair, counts);
          if (problem) throw problem;
          const targetAcct = new FileAccount();
          try {
            await extractLinePairs(lines(path, det, acct, progress), lines(target.path, tdet, targetAcct), pair, fmt, sink, report, acct, targetAcct);
          } finally {
            acct.absorb(targetAcct);
          }
        } else if (format === 'text' && fmt.pairs) {
          throw new FileSkip({ code: 'unsupported-type', message: 'paired text (seq2seq) is read from .tsv, .csv or .jsonl rows with a source and a target column; file skipped' });
        } else if (format === 'text') await extractText(events, fmt, sink, report, acct);
        else if (format === 'jsonl') await extractJsonl(events, fmt, sink, report, acct);
        else await extractCsv(events, fmt, format === 'csv' ? ',' : '\t', fmt.csvQuoting ?? format === 'csv', sink, report, acct);
        if (entry.documents === 0 && fileIssues === 0) {
          // With deferred documents this is said now, where it belongs among the issues, and taken
          // back if one of them is kept.
          const before = { listed: listed.length, issues: issues.length };
          report({ code: 'empty-file', severity: 'error', message: 'no text in this file (only blank lines)' });
          if (deferredIn[fi] > 0) undecided.set(fi, { emptyIssue: { listed: listed.slice(before.listed), issues: issues.slice(before.issues) }, skipped: false });
        }
      } catch (err) {
        if (err instanceof FileSkip) {
          report({ file: err.detail.file, line: err.detail.line, offset: err.detail.offset, code: err.detail.code, severity: 'error', message: err.detail.message });
        } else if (opts.signal?.aborted) {
          throw err;
        } else {
          report({ code: 'read-failed', severity: 'error', message: `could not read: ${(err as Error).message}` });
        }
        if (entry.documents === 0) {
          entry.imported = false;
          if (deferredIn[fi] > 0) undecided.set(fi, { skipped: true });
        }
      } finally {
        bytesBefore += bytes;
        finish.push({ fi, base: { path, format, bytes } });
      }
    }
    if (dedup) {
      const last = Math.max(0, files.length - 1);
      const onStep = (done: number, total: number) => opts.onProgress?.({
        file: files[last]?.path ?? '', fileIndex: last, files: files.length, bytesRead: totalBytes, totalBytes, documents: stats.stats.documents, dedup: { done, total },
      });
      for await (const { doc, duplicate, ordinal } of dedup.resolve(onStep)) {
        const chars = codePoints(doc.text);
        if (duplicate) { stats.stats.duplicatesDropped++; accounts[doc.source].dropDeferredDuplicate(chars, ordinal); } else await keep(doc, chars);
        await slicer.tick();
      }
      for (const [fi, u] of undecided) {
        if (entries[fi].documents === 0) continue;
        // A deferred document was kept: the file was not empty after all, and was imported.
        if (u.skipped) entries[fi].imported = true;
        if (u.emptyIssue) retractIssue(u.emptyIssue, accounts[fi], 'empty-file', 'error', { listed, issues });
      }
    }
    for (const { fi, base } of finish) reports.push(accounts[fi].toReport({ ...base, encoding: entries[fi].encoding, imported: entries[fi].imported }));
    await docs.close();
    const importReport = (): StoredImportReport => ({
      version: 1, createdAt: new Date().toISOString(), inputs: opts.inputs.map((p) => resolve(p)), files: reports,
      issues: generalIssues, issuesNotListed: notListed, list: listed,
    });
    if (stats.stats.documents === 0) {
      const none: CorpusIssue = { file: files.length === 1 ? files[0].path : opts.inputs.join(', '), code: 'no-documents', severity: 'error', message: 'no documents could be imported' };
      issues.push(none);
      generalIssues.push(none);
      await rm(tmp, { recursive: true, force: true });
      const report = importReport();
      const reportPath = failedReportPath(outDir);
      writeImportReport(reportPath, report);
      return { dir: null, manifest: null, issues, report, reportPath };
    }
    const manifest: CorpusManifest = {
      version: CORPUS_FORMAT_VERSION, createdAt: new Date().toISOString(), contentHash: content.digest(),
      files: entries, stats: stats.stats, issues,
      options: { textField: fmt.textField, labelField: fmt.labelField ?? null, textColumn: fmt.textColumn ?? null, labelColumn: fmt.labelColumn ?? null, csvQuoting: fmt.csvQuoting ?? null, ...(fmt.pairs ? { pairs: { source: fmt.pairs.source ?? null, target: fmt.pairs.target ?? null } } : {}), ...(opts.targetFiles?.length ? { targetFiles: opts.targetFiles.map((p) => resolve(p)) } : {}), maxLineBytes, textDocuments: fmt.textDocuments, maxDocumentChars: fmt.maxDocumentChars, dedup: opts.dedup !== false },
    };
    const report = importReport();
    writeImportReport(join(tmp, REPORT_FILE), report);
    writeJsonAtomic(join(tmp, 'manifest.json'), manifest);
    await publishDir(tmp, outDir);
    // A report left by an earlier failed import of these inputs would now mislead.
    await rm(failedReportPath(outDir), { force: true });
    return { dir: outDir, manifest, issues, report, reportPath: join(outDir, REPORT_FILE) };
  } catch (err) {
    // Its file closed before the folder goes, so nothing is written into it afterwards.
    await writer?.discard();
    await dedup?.discard();
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
