// Turning a file's lines into documents, one function per format:
//   text (.txt, .md): by default a document is a paragraph, i.e. lines up to a blank line, with
//     its inner newlines. With textDocuments 'file' the whole file is one document, every line
//     kept with its '\n' (blank lines too), so documents concatenated reproduce the file exactly
//     (nanoGPT's shakespeare_char stream). Either way a document longer than maxDocumentChars is
//     cut at a line boundary.
//   jsonl: a document is a row's `textField` (string); `labelField` optional.
//   csv/tsv: a header row names the columns; a document is a row's text column, with an optional
//     label column. Quoted fields (RFC 4180) for .csv; plain tab-separated for .tsv by default.
import { CsvRecordParser } from './csv';
import type { CorpusIssue } from './issues';
import type { LineEvent } from './lines';

export type CorpusFormat = 'text' | 'jsonl' | 'csv' | 'tsv';

export interface FormatOptions {
  /** JSONL: field holding the text (default 'text'). */
  textField: string;
  /** JSONL: field holding a label (default 'label' when present; null: none). */
  labelField: string | null | undefined;
  /** CSV/TSV: text column (default: the first of text, sentence, review, content, body). */
  textColumn: string | undefined;
  /** CSV/TSV: label column (default 'label' when present; null: none). */
  labelColumn: string | null | undefined;
  /** Quoted fields; default true for .csv, false for .tsv. */
  csvQuoting: boolean | undefined;
  /** .txt/.md documents: 'paragraph' (default) or 'file'. */
  textDocuments: 'paragraph' | 'file';
  maxDocumentChars: number;
  maxLineBytes: number;
}

export type DocSink = (text: string, label: string | undefined) => Promise<void> | void;
/** Records an issue for the current file (the caller adds the file name and caps the count). */
export type IssueSink = (issue: Omit<CorpusIssue, 'file'>) => void;

const TEXT_COLUMNS = ['text', 'sentence', 'review', 'content', 'body'];

export function formatOf(path: string): CorpusFormat | null {
  const ext = path.toLowerCase().match(/\.[^./\\]+$/)?.[0];
  switch (ext) {
    case '.txt': case '.md': case '.markdown': case '.text': return 'text';
    case '.jsonl': case '.ndjson': return 'jsonl';
    case '.csv': return 'csv';
    case '.tsv': return 'tsv';
    default: return null;
  }
}

function tooLong(e: Extract<LineEvent, { kind: 'too-long' }>, limit: number): Omit<CorpusIssue, 'file'> {
  return { line: e.line, offset: e.offset, code: 'line-too-long', severity: 'warning', message: `line of ${e.bytes} bytes is longer than the limit of ${limit} bytes; skipped` };
}

export async function extractText(events: AsyncIterable<LineEvent[]>, opts: FormatOptions, sink: DocSink, issue: IssueSink): Promise<void> {
  const wholeFile = opts.textDocuments === 'file';
  let lines: string[] = [];
  let chars = 0;
  const flush = async () => {
    if (lines.length) await sink(wholeFile ? lines.join('\n') + '\n' : lines.join('\n'), undefined);
    lines = []; chars = 0;
  };
  for await (const batch of events) {
    for (const e of batch) {
      if (e.kind === 'invalid') { issue({ line: e.line, offset: e.offset, code: 'invalid-bytes', severity: 'warning', message: 'invalid UTF-8 bytes replaced by U+FFFD' }); continue; }
      if (e.kind === 'too-long') { issue(tooLong(e, opts.maxLineBytes)); if (!wholeFile) await flush(); continue; }
      if (!wholeFile && e.text.trim() === '') { await flush(); continue; }
      if (chars + e.text.length > opts.maxDocumentChars && lines.length) await flush();
      lines.push(e.text); chars += e.text.length + 1;
    }
  }
  await flush();
}

export async function extractJsonl(events: AsyncIterable<LineEvent[]>, opts: FormatOptions, sink: DocSink, issue: IssueSink): Promise<void> {
  for await (const batch of events) {
    for (const e of batch) {
      if (e.kind === 'invalid') { issue({ line: e.line, offset: e.offset, code: 'invalid-bytes', severity: 'warning', message: 'invalid UTF-8 bytes replaced by U+FFFD' }); continue; }
      if (e.kind === 'too-long') { issue(tooLong(e, opts.maxLineBytes)); continue; }
      if (e.text.trim() === '') continue;
      let row: unknown;
      try { row = JSON.parse(e.text); } catch (err) {
        issue({ line: e.line, offset: e.offset, code: 'bad-json', severity: 'warning', message: `not JSON (${(err as Error).message}); line skipped` });
        continue;
      }
      const obj = row !== null && typeof row === 'object' && !Array.isArray(row) ? row as Record<string, unknown> : null;
      const text = obj?.[opts.textField];
      if (typeof text !== 'string') {
        issue({ line: e.line, offset: e.offset, code: 'missing-field', severity: 'warning', message: `no string field "${opts.textField}"; line skipped` });
        continue;
      }
      const labelKey = opts.labelField === undefined ? 'label' : opts.labelField;
      const label = labelKey !== null && obj![labelKey] !== undefined && obj![labelKey] !== null ? String(obj![labelKey]) : undefined;
      await sink(text, label);
    }
  }
}

/** Returns an issue (and stops) when the header lacks the requested column. */
export async function extractCsv(
  events: AsyncIterable<LineEvent[]>, opts: FormatOptions, delimiter: string, quoting: boolean, sink: DocSink, issue: IssueSink,
): Promise<void> {
  const parser = new CsvRecordParser(delimiter, quoting);
  let header: string[] | null = null;
  let textIdx = -1, labelIdx = -1;
  for await (const batch of events) {
    for (const e of batch) {
      if (e.kind === 'invalid') { issue({ line: e.line, offset: e.offset, code: 'invalid-bytes', severity: 'warning', message: 'invalid UTF-8 bytes replaced by U+FFFD' }); continue; }
      if (e.kind === 'too-long') {
        if (parser.pending) throw new FileSkip({ line: parser.startLine, code: 'record-too-long', message: `a quoted field runs past the line limit of ${opts.maxLineBytes} bytes; file skipped` });
        issue(tooLong(e, opts.maxLineBytes)); continue;
      }
      if (!parser.pending && e.text.trim() === '') continue;
      const rec = parser.pushLine(e.text, e.line);
      if (parser.bufferedChars > opts.maxLineBytes) throw new FileSkip({ line: parser.startLine, code: 'record-too-long', message: `a quoted field runs past the limit of ${opts.maxLineBytes} characters (unclosed quote?); file skipped` });
      if (rec === null) continue;
      if (header === null) {
        header = rec.map((h) => h.trim());
        const lower = header.map((h) => h.toLowerCase());
        const want = opts.textColumn;
        textIdx = want !== undefined ? header.indexOf(want) : lower.findIndex((h) => TEXT_COLUMNS.includes(h));
        if (textIdx < 0) {
          throw new FileSkip({ line: parser.startLine, code: 'missing-column', message: `no column ${want !== undefined ? `"${want}"` : `named one of ${TEXT_COLUMNS.join(', ')}`} in the header (columns: ${header.join(', ')}); file skipped` });
        }
        if (opts.labelColumn !== null) {
          labelIdx = opts.labelColumn !== undefined ? header.indexOf(opts.labelColumn) : lower.indexOf('label');
          if (labelIdx < 0 && opts.labelColumn !== undefined) {
            throw new FileSkip({ line: parser.startLine, code: 'missing-column', message: `no label column "${opts.labelColumn}" in the header (columns: ${header.join(', ')}); file skipped` });
          }
        }
        continue;
      }
      if (rec.length <= Math.max(textIdx, labelIdx)) {
        issue({ line: parser.startLine, code: 'bad-row', severity: 'warning', message: `row has ${rec.length} fields, the header ${header.length}; row skipped` });
        continue;
      }
      const label = labelIdx >= 0 ? rec[labelIdx].trim() : undefined;
      await sink(rec[textIdx], label === '' ? undefined : label);
    }
  }
  if (parser.pending) throw new FileSkip({ line: parser.startLine, code: 'bad-row', message: 'a quoted field is never closed; the rows after it were not read' });
}

/** Thrown by an extractor when the whole file must be skipped. */
export class FileSkip extends Error {
  constructor(readonly detail: { line?: number; code: CorpusIssue['code']; message: string }) { super(detail.message); }
}
