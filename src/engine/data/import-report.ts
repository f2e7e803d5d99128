// What an import did with every file, in numbers a person can check: bytes read, characters read
// (code points of the decoded text, line breaks included, a BOM not), characters imported (in the
// stored documents), and every character not imported under the reason it was dropped. For
// each file charactersRead === charactersImported + sum(dropped): the importer counts what it
// reads in one place (lines.ts) and what it keeps or drops in others, so the equality is a check,
// not a definition. The report lists issues by kind with their full counts, and is written
// beside the imported corpus (import-report.json) so a cached import shows the same summary.
import { readFileSync } from 'node:fs';
import { writeJsonAtomic } from '../runstore/atomic';
import type { Encoding } from './detect';
import type { CorpusFormat } from './formats';
import { formatIssue, type CorpusIssue, type CorpusIssueCode } from './issues';
import { TEXT_COLUMNS } from './text-column';

export type DropReason =
  | 'line-breaks' | 'blank' | 'normalization' | 'markup' | 'duplicate' | 'control-characters'
  | 'line-too-long' | 'bad-json' | 'missing-field' | 'bad-row' | 'unclosed-quote' | 'file-skipped';

export const DROP_REASONS: Record<DropReason, string> = {
  'line-breaks': 'line breaks between and around documents (CRLF counts two)',
  blank: 'blank lines and whitespace-only documents',
  normalization: 'Unicode NFC composition (may be negative where NFC expands)',
  markup: 'JSON syntax and other fields, CSV quotes, header row and other columns',
  duplicate: 'exact duplicates of earlier documents',
  'control-characters': 'control characters (NUL, ESC, DEL, C1) and stray U+FEFF',
  'line-too-long': 'JSONL/CSV lines over the line limit',
  'bad-json': 'JSONL lines that are not JSON',
  'missing-field': 'JSONL rows without the text field',
  'bad-row': 'CSV/TSV rows with too few fields',
  'unclosed-quote': 'CSV text after a quote that is never closed',
  'file-skipped': 'the part of a file read before it was skipped',
};

export interface FileReport {
  path: string;
  format: CorpusFormat;
  encoding: Encoding | null;
  /** The file's size. */
  bytes: number;
  /** Bytes read from it (a BOM included). */
  bytesRead: number;
  /** False when the file was skipped as a whole (see its errors). */
  imported: boolean;
  documents: number;
  charactersRead: number;
  charactersImported: number;
  charactersDropped: Partial<Record<DropReason, number>>;
  /** Issues of each kind, all counted (the list keeps the first ones only). */
  issues: Partial<Record<CorpusIssueCode, number>>;
  /** Paired import (seq2seq): the columns or fields taken as source and target. */
  pairs?: { source: string; target: string };
  /** CSV/TSV: the text column, when guessed from the rows (the header names none of the usual ones). */
  textColumn?: string;
  errors: number;
  warnings: number;
  /** Lines longer than the limit that were cut into documents. */
  split: { lines: number; pieces: number };
}

export interface ImportReport {
  version: 1;
  createdAt: string;
  inputs: string[];
  files: FileReport[];
  /** Issues with a place in no file (a missing input, no documents at all). */
  issues: CorpusIssue[];
  /** Issues not listed because a file had more than the report keeps; counted in files[].issues. */
  issuesNotListed: number;
}

/** Counts for one file as it is read; see FileReport. */
export class FileAccount {
  bytesRead = 0;
  charsRead = 0;
  charsImported = 0;
  documents = 0;
  readonly dropped: Partial<Record<DropReason, number>> = {};
  readonly issueCounts: Partial<Record<CorpusIssueCode, number>> = {};
  errors = 0;
  warnings = 0;
  readonly split = { lines: 0, pieces: 0 };
  pairs: { source: string; target: string } | undefined;
  textColumn: string | undefined;

  /** Adds another account's reading to this one (the target file of a line-aligned pair). */
  absorb(other: FileAccount): void {
    this.bytesRead += other.bytesRead;
    this.charsRead += other.charsRead;
    for (const [reason, n] of Object.entries(other.dropped)) this.drop(reason as DropReason, n);
  }
  drop(reason: DropReason, chars: number): void {
    if (chars !== 0) this.dropped[reason] = (this.dropped[reason] ?? 0) + chars;
  }
  droppedTotal(): number {
    return Object.values(this.dropped).reduce((s, n) => s + (n ?? 0), 0);
  }
  /** Characters read but neither imported nor dropped (0 unless the importer has a bug). */
  unaccounted(): number {
    return this.charsRead - this.charsImported - this.droppedTotal();
  }
  toReport(base: Pick<FileReport, 'path' | 'format' | 'encoding' | 'bytes' | 'imported'>): FileReport {
    return {
      ...base, bytesRead: this.bytesRead, documents: this.documents, charactersRead: this.charsRead,
      charactersImported: this.charsImported, charactersDropped: { ...this.dropped }, issues: { ...this.issueCounts }, errors: this.errors, warnings: this.warnings, split: { ...this.split },
      ...(this.pairs ? { pairs: this.pairs } : {}),
      ...(this.textColumn !== undefined ? { textColumn: this.textColumn } : {}),
    };
  }
}

export function writeImportReport(path: string, report: ImportReport & { list: CorpusIssue[] }): void {
  writeJsonAtomic(path, report);
}

export type StoredImportReport = ImportReport & { list: CorpusIssue[] };

export function readImportReport(path: string): StoredImportReport | null {
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as StoredImportReport;
    return r.version === 1 && Array.isArray(r.files) ? r : null;
  } catch {
    return null;
  }
}

/** Errors and warnings over all files, by their full counts. */
export function issueTotals(report: StoredImportReport): { errors: number; warnings: number } {
  let errors = 0, warnings = 0;
  for (const f of report.files) { errors += f.errors; warnings += f.warnings; }
  for (const i of report.issues) if (i.severity === 'error') errors++; else warnings++;
  return { errors, warnings };
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** How a guessed text column is told, in the CLI's summary and on the Corpus page alike. */
export function guessedColumnNote(column: string): string {
  return `text column "${column}" (guessed from the rows: the header names none of ${TEXT_COLUMNS.join(', ')})`;
}
const plural = (n: number, word: string) => `${fmt(n)} ${word}${n === 1 ? '' : 's'}`;

/**
 * The summary a person reads after an import, the same in the CLI and the app: per file the
 * numbers, what was dropped and why, issue counts by kind and the first `firstIssues` issues
 * with line and byte offset; then where the full report is.
 */
export function summarizeImport(report: StoredImportReport, opts: { reportPath?: string; firstIssues?: number; cached?: boolean } = {}): string[] {
  const first = opts.firstIssues ?? 3;
  const out: string[] = [];
  const docs = report.files.reduce((s, f) => s + f.documents, 0);
  const read = report.files.reduce((s, f) => s + f.charactersRead, 0);
  const kept = report.files.reduce((s, f) => s + f.charactersImported, 0);
  const { errors, warnings } = issueTotals(report);
  out.push(`${opts.cached ? 'imported earlier (cached)' : 'imported'}: ${plural(report.files.length, 'file')}, ` +
    `${plural(docs, 'document')}, ${fmt(kept)} of ${plural(read, 'character')} imported; ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
  const byFile = new Map<string, CorpusIssue[]>();
  for (const i of report.list) byFile.set(i.file, [...(byFile.get(i.file) ?? []), i]);
  let unshown = 0;
  for (const f of report.files) {
    const dropped = Object.entries(f.charactersDropped).filter(([, n]) => n).map(([r, n]) => `${r} ${fmt(n!)}`);
    const kinds = Object.entries(f.issues).map(([c, n]) => `${c} ×${fmt(n!)}`);
    // Bytes read differ from the size when a file was judged on its first bytes, or its reading stopped.
    const bytes = f.bytesRead === f.bytes ? plural(f.bytes, 'byte') : `${fmt(f.bytesRead)} of ${plural(f.bytes, 'byte')} read`;
    out.push(`  ${f.path} (${f.format}${f.encoding ? `, ${f.encoding}` : ''}, ${bytes}): ` +
      (f.imported ? `${plural(f.documents, 'document')}, ${fmt(f.charactersImported)} of ${plural(f.charactersRead, 'character')} imported` : 'skipped') +
      (dropped.length ? `; dropped: ${dropped.join(', ')}` : '') +
      (f.split.lines ? `; ${plural(f.split.lines, 'long line')} split into ${plural(f.split.pieces, 'document')}` : '') +
      (f.pairs ? `; pairs: source "${f.pairs.source}", target "${f.pairs.target}"` : '') +
      (f.textColumn !== undefined ? `; ${guessedColumnNote(f.textColumn)}` : '') +
      (kinds.length ? `; issues: ${kinds.join(', ')}` : ''));
    const listed = byFile.get(f.path) ?? [];
    for (const i of listed.slice(0, first)) out.push(`    ${formatIssue(i)}`);
    unshown += f.errors + f.warnings - Math.min(first, listed.length);
  }
  for (const i of report.issues) out.push(`  ${formatIssue(i)}`);
  if (unshown > 0) out.push(`  … ${plural(unshown, 'more issue')} ${opts.reportPath ? 'in the full report' : 'not shown'}`);
  if (opts.reportPath) out.push(`  full report: ${opts.reportPath}`);
  return out;
}
