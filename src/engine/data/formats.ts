// Turning a file's lines into documents, one function per format:
//   text (.txt, .md): by default a document is a paragraph, i.e. lines up to a blank line, with
//     its inner newlines. With textDocuments 'file' the whole file is one document, every line
//     kept with its '\n' (blank lines too), so documents concatenated reproduce the file exactly
//     (nanoGPT's shakespeare_char stream). Either way a document longer than maxDocumentChars is
//     cut at a line boundary.
//   jsonl: a document is a row's `textField` (string); `labelField` optional.
//   csv/tsv: a header row names the columns; a document is a row's text column (when the header
//     names none of the usual ones, guessed from the first rows: text-column.ts), with an optional
//     label column. Quoted fields (RFC 4180) for .csv; plain tab-separated for .tsv by default.
//   pairs (seq2seq; `pairs` set): a document is a row's source and target joined by
//     PAIR_SEPARATOR ([SEP], a special token, so the tokenizer keeps it whole and learns neither
//     side across it): CSV/TSV columns (default: the first two), JSONL fields (default: the first
//     two string fields of each row). A missing column skips the file, an empty side the row; both
//     name the file and line.
import { CsvRecordParser } from './csv';
import type { CorpusIssue } from './issues';
import type { FileAccount } from './import-report';
import { codePoints, type LineEvent } from './lines';
import { GUESS_ROWS, guessTextColumn, TEXT_COLUMNS } from './text-column';

export type CorpusFormat = 'text' | 'jsonl' | 'csv' | 'tsv';

export interface FormatOptions {
  /** JSONL: field holding the text (default 'text'). */
  textField: string;
  /** JSONL: field holding a label (default 'label' when present; null: none). */
  labelField: string | null | undefined;
  /** CSV/TSV: text column (default: the first of text, sentence, review, content, body, else guessed from the rows). */
  textColumn: string | undefined;
  /** CSV/TSV: label column (default 'label' when present; null: none). */
  labelColumn: string | null | undefined;
  /** Quoted fields; default true for .csv, false for .tsv. */
  csvQuoting: boolean | undefined;
  /** .txt/.md documents: 'paragraph' (default) or 'file'. */
  textDocuments: 'paragraph' | 'file';
  /** Paired rows (seq2seq): source and target column/field names, undefined = the first two. */
  pairs?: { source: string | undefined; target: string | undefined } | null;
  maxDocumentChars: number;
  maxLineBytes: number;
}

/** A document: its text as extracted (before normalization) and that text's code points. */
export type DocSink = (text: string, label: string | undefined, chars: number) => Promise<void> | void;
/** Records an issue for the current file, or for `file` when given (the caller caps the count). */
export type IssueSink = (issue: Omit<CorpusIssue, 'file'> & { file?: string }) => void;

/** Joins a pair's source and target in one document (the BERT/BART special [SEP]). */
export const PAIR_SEPARATOR = '[SEP]';

/**
 * One paired row into the sink: `source` [SEP] `target`, or an 'empty-side' warning (row skipped).
 * The separator's characters were not read, so the row's other characters (`extra`: delimiters,
 * other columns, quotes) count as markup less those 5. `files`: the sides come from two files
 * (line-pairs.ts), and an empty side's issue is filed under its own file.
 */
export async function sinkPair(
  src: string, tgt: string, extra: number, line: number, names: { source: string; target: string }, sink: DocSink, issue: IssueSink, acct: FileAccount,
  files?: { source: string; target: string },
): Promise<void> {
  const chars = codePoints(src) + codePoints(tgt);
  if (src.trim() === '' || tgt.trim() === '') {
    acct.drop('missing-field', chars + extra);
    const empty = src.trim() === '' ? 'source' : 'target';
    issue({ file: files?.[empty], line, code: 'empty-side', severity: 'warning', message: `the ${empty} "${names[empty]}" is empty; row skipped` });
    return;
  }
  if (src.includes(PAIR_SEPARATOR) || tgt.includes(PAIR_SEPARATOR)) {
    acct.drop('bad-row', chars + extra);
    issue({ line, code: 'bad-row', severity: 'warning', message: `the row contains ${PAIR_SEPARATOR}, which separates source from target; row skipped` });
    return;
  }
  acct.drop('markup', extra - PAIR_SEPARATOR.length);
  await sink(src + PAIR_SEPARATOR + tgt, undefined, chars + PAIR_SEPARATOR.length);
}

/**
 * Plain-text lines longer than this many bytes are cut into documents (lines.ts): the line limit,
 * or the document limit when smaller, so that a one-line novel becomes documents of the size a
 * paragraph may have (and a split into train and validation documents has enough of them).
 */
export function textLineLimit(opts: Pick<FormatOptions, 'maxLineBytes' | 'maxDocumentChars'>): number {
  return Math.min(opts.maxLineBytes, opts.maxDocumentChars);
}

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

const ENCODING_NAMES = { utf8: 'UTF-8', utf16le: 'UTF-16LE', utf16be: 'UTF-16BE', gb18030: 'GB18030' } as const;
// Plain digits: messages are grepped and compared in tests.
const fmtN = (n: number) => String(n);

/**
 * The events every format treats alike (replaced bytes, removed control characters, long lines
 * split or skipped). Returns true when `e` was one of them.
 */
export function common(e: LineEvent, opts: FormatOptions, issue: IssueSink, acct: FileAccount): boolean {
  switch (e.kind) {
    case 'invalid':
      issue({
        line: e.line, offset: e.offset, code: 'invalid-bytes', severity: 'warning',
        message: e.encoding === 'utf8'
          ? `${e.count} invalid UTF-8 byte sequence${e.count === 1 ? '' : 's'} replaced by U+FFFD`
          : `${e.count} character${e.count === 1 ? '' : 's'} not valid ${ENCODING_NAMES[e.encoding]} replaced by U+FFFD`,
      });
      return true;
    case 'controls':
      issue({ line: e.line, offset: e.offset, code: 'control-characters', severity: 'warning', message: `${e.count} control character${e.count === 1 ? '' : 's'} removed (the first U+${e.first.toString(16).toUpperCase().padStart(4, '0')})` });
      return true;
    case 'split':
      acct.split.lines++; acct.split.pieces += e.pieces;
      issue({
        line: e.line, offset: e.offset, code: 'line-split', severity: 'warning',
        message: `line of ${fmtN(e.bytes)} bytes is longer than the limit of ${fmtN(textLineLimit(opts))} bytes; split into ${e.pieces} documents ` +
          `(${e.atSentence} cut at sentence ends, ${e.atSpace} at spaces, ${e.inText} inside text)`,
      });
      return true;
    case 'too-long':
      // lines.ts counted the skipped characters already (it never decodes the line into a string).
      issue({ line: e.line, offset: e.offset, code: 'line-too-long', severity: 'warning', message: `line of ${fmtN(e.bytes)} bytes (${fmtN(e.chars)} characters) is longer than the limit of ${fmtN(opts.maxLineBytes)} bytes; skipped` });
      return true;
    default:
      return false;
  }
}

export async function extractText(events: AsyncIterable<LineEvent[]>, opts: FormatOptions, sink: DocSink, issue: IssueSink, acct: FileAccount): Promise<void> {
  // paragraph: lines up to a blank line, joined by '\n'. file: every line with its own '\n', so
  // the documents concatenated are the file (a line break that was not in the file is never added).
  const wholeFile = opts.textDocuments === 'file';
  let parts: string[] = [];
  let chars = 0; // code points in parts
  let source = 0; // characters read for them, line breaks included
  const flush = async () => {
    if (parts.length) {
      acct.drop('line-breaks', source - chars);
      await sink(parts.join(''), undefined, chars);
    }
    parts = []; chars = 0; source = 0;
  };
  for await (const batch of events) {
    for (const e of batch) {
      if (e.kind !== 'line') { common(e, opts, issue, acct); continue; }
      if (e.piece !== undefined) {
        // A piece of a split line is a document of its own.
        if (e.piece === 1) await flush();
        parts = [e.text]; chars = e.chars; source = e.chars + e.eol;
        if (wholeFile && e.eol > 0) { parts.push('\n'); chars++; } // the last piece keeps the line's break
        await flush();
        continue;
      }
      if (!wholeFile && e.text.trim() === '') {
        await flush();
        acct.drop('blank', e.chars); acct.drop('line-breaks', e.eol);
        continue;
      }
      if (chars + e.chars > opts.maxDocumentChars && parts.length) await flush();
      if (!wholeFile && parts.length) { parts.push('\n'); chars++; }
      parts.push(e.text); chars += e.chars; source += e.chars + e.eol;
      if (wholeFile && e.eol > 0) { parts.push('\n'); chars++; }
    }
  }
  await flush();
}

export async function extractJsonl(events: AsyncIterable<LineEvent[]>, opts: FormatOptions, sink: DocSink, issue: IssueSink, acct: FileAccount): Promise<void> {
  for await (const batch of events) {
    for (const e of batch) {
      if (e.kind !== 'line') { common(e, opts, issue, acct); continue; }
      acct.drop('line-breaks', e.eol);
      if (e.text.trim() === '') { acct.drop('blank', e.chars); continue; }
      let row: unknown;
      try { row = JSON.parse(e.text); } catch (err) {
        acct.drop('bad-json', e.chars);
        issue({ line: e.line, offset: e.offset, code: 'bad-json', severity: 'warning', message: `not JSON (${(err as Error).message}); line skipped` });
        continue;
      }
      const obj = row !== null && typeof row === 'object' && !Array.isArray(row) ? row as Record<string, unknown> : null;
      if (opts.pairs) {
        const strings = obj ? Object.keys(obj).filter((k) => typeof obj[k] === 'string') : [];
        const names = { source: opts.pairs.source ?? strings[0], target: opts.pairs.target ?? strings.find((k) => k !== (opts.pairs!.source ?? strings[0])) };
        const src = names.source === undefined ? undefined : obj?.[names.source];
        const tgt = names.target === undefined ? undefined : obj?.[names.target];
        if (typeof src !== 'string' || typeof tgt !== 'string') {
          acct.drop('missing-field', e.chars);
          const want = opts.pairs.source !== undefined || opts.pairs.target !== undefined ? `the string fields "${names.source}" and "${names.target}"` : 'two string fields';
          issue({ line: e.line, offset: e.offset, code: 'missing-field', severity: 'warning', message: `a pair needs ${want} (the row has ${obj ? `fields: ${Object.keys(obj).slice(0, 8).join(', ') || 'none'}` : 'no object'}); line skipped` });
          continue;
        }
        acct.pairs ??= { source: names.source!, target: names.target! };
        await sinkPair(src, tgt, e.chars - codePoints(src) - codePoints(tgt), e.line, acct.pairs, sink, issue, acct);
        continue;
      }
      const text = obj?.[opts.textField];
      if (typeof text !== 'string') {
        acct.drop('missing-field', e.chars);
        const keys = obj ? Object.keys(obj).slice(0, 8).join(', ') : Array.isArray(row) ? 'an array' : typeof row;
        issue({ line: e.line, offset: e.offset, code: 'missing-field', severity: 'warning', message: `no string field "${opts.textField}" (the row has ${obj ? `fields: ${keys || 'none'}` : keys}); line skipped` });
        continue;
      }
      const labelKey = opts.labelField === undefined ? 'label' : opts.labelField;
      const label = labelKey !== null && obj![labelKey] !== undefined && obj![labelKey] !== null ? String(obj![labelKey]) : undefined;
      const chars = codePoints(text);
      acct.drop('markup', e.chars - chars);
      await sink(text, label, chars);
    }
  }
}

/**
 * Throws FileSkip when the header lacks the requested column. With no column asked for and none of
 * TEXT_COLUMNS in the header, the text column is guessed from the first GUESS_ROWS rows
 * (text-column.ts), which are held back until then; the guess is recorded in `acct.textColumn`.
 */
export async function extractCsv(
  events: AsyncIterable<LineEvent[]>, opts: FormatOptions, delimiter: string, quoting: boolean, sink: DocSink, issue: IssueSink, acct: FileAccount,
): Promise<void> {
  const parser = new CsvRecordParser(delimiter, quoting);
  let header: string[] | null = null;
  let textIdx = -1, labelIdx = -1;
  let source = 0; // characters read for the record being assembled (line breaks inside it included)
  let lastEol = 0;
  let batch: LineEvent[] = [];
  let k = 0;
  // While the text column is being guessed: the header's line and characters, and the rows read.
  let guessing: { line: number; source: number; rows: { rec: string[]; source: number; line: number }[] } | null = null;
  const skipFile = (detail: ConstructorParameters<typeof FileSkip>[0]) => {
    // lines.ts read (and counted) the whole batch; the lines after this one are skipped with the file.
    let rest = 0;
    for (const e of batch.slice(k + 1)) if (e.kind === 'line') rest += e.chars + e.eol;
    // So are the header and rows held back while the text column was being guessed.
    if (guessing) for (const r of [guessing, ...guessing.rows]) rest += r.source;
    acct.drop('file-skipped', source + rest); source = 0;
    return new FileSkip(detail);
  };
  const row = async (rec: string[], recSource: number, line: number) => {
    if (rec.length <= Math.max(textIdx, labelIdx)) {
      acct.drop('bad-row', recSource);
      issue({ line, code: 'bad-row', severity: 'warning', message: `row has ${rec.length} field${rec.length === 1 ? '' : 's'}, the header ${header!.length}; row skipped` });
      return;
    }
    if (rec.length > header!.length) {
      issue({ line, code: 'extra-fields', severity: 'warning', message: `row has ${rec.length} fields, the header ${header!.length}; the extra fields are ignored` });
    }
    if (acct.pairs) {
      await sinkPair(rec[textIdx], rec[labelIdx], recSource - codePoints(rec[textIdx]) - codePoints(rec[labelIdx]), line, acct.pairs, sink, issue, acct);
      return;
    }
    const label = labelIdx >= 0 ? rec[labelIdx].trim() : undefined;
    const text = rec[textIdx];
    const chars = codePoints(text);
    acct.drop('markup', recSource - chars);
    await sink(text, label === '' ? undefined : label, chars);
  };
  // Picks the text column from the rows held back, then imports them. `tail`: characters of the
  // file not yet counted anywhere (an unclosed record's last line break), skipped with the file.
  const decide = async (tail: number) => {
    const g = guessing!;
    textIdx = guessTextColumn(header!, g.rows.map((r) => r.rec), labelIdx);
    if (textIdx < 0) {
      source += tail;
      const rows = g.rows.length === 0 ? 'and the file has no rows after the header' : `and no column holds text (rather than numbers) in the first ${g.rows.length} row${g.rows.length === 1 ? '' : 's'}`;
      throw skipFile({ line: g.line, code: 'missing-column', message: `no text column: none is named ${TEXT_COLUMNS.join(', ')}, ${rows} (columns: ${header!.join(', ')}); file skipped` });
    }
    guessing = null;
    acct.textColumn = header![textIdx];
    acct.drop('markup', g.source);
    for (const r of g.rows) await row(r.rec, r.source, r.line);
  };
  for await (batch of events) {
    for (k = 0; k < batch.length; k++) {
      const e = batch[k];
      if (e.kind === 'too-long' && parser.pending) {
        throw skipFile({ line: parser.startLine, code: 'record-too-long', message: `a quoted field runs past the line limit of ${fmtN(opts.maxLineBytes)} bytes (unclosed quote?); the rest of the file was not read` });
      }
      if (e.kind !== 'line') { common(e, opts, issue, acct); continue; }
      if (!parser.pending && e.text.trim() === '') { acct.drop('blank', e.chars); acct.drop('line-breaks', e.eol); continue; }
      if (parser.pending) source += lastEol; // the break inside a quoted field belongs to the record
      const rec = parser.pushLine(e.text, e.line);
      source += e.chars; lastEol = e.eol;
      if (parser.bufferedChars > opts.maxLineBytes) {
        throw skipFile({ line: parser.startLine, code: 'record-too-long', message: `a quoted field runs past the limit of ${fmtN(opts.maxLineBytes)} characters (unclosed quote?); the rest of the file was not read` });
      }
      if (rec === null) continue;
      acct.drop('line-breaks', e.eol);
      const recSource = source;
      source = 0;
      if (header === null) {
        header = rec.map((h) => h.trim());
        const lower = header.map((h) => h.toLowerCase());
        if (opts.pairs) {
          const find = (want: string | undefined, fallback: number, side: string) => {
            const i = want !== undefined ? header!.indexOf(want) : fallback;
            if (i < 0 || i >= header!.length) {
              source = recSource;
              throw skipFile({ line: parser.startLine, code: 'missing-column', message: `no ${side} column ${want !== undefined ? `"${want}"` : `(the header has ${header!.length} column${header!.length === 1 ? '' : 's'}, a pair needs two)`} in the header (columns: ${header!.join(', ')}); file skipped` });
            }
            return i;
          };
          textIdx = find(opts.pairs.source, 0, 'source');
          labelIdx = find(opts.pairs.target, textIdx === 0 ? 1 : 0, 'target');
          acct.pairs = { source: header[textIdx], target: header[labelIdx] };
          acct.drop('markup', recSource);
          continue;
        }
        const want = opts.textColumn;
        textIdx = want !== undefined ? header.indexOf(want) : lower.findIndex((h) => TEXT_COLUMNS.includes(h));
        source = recSource; // counted as skipped if the header is refused below
        if (textIdx < 0 && want !== undefined) {
          throw skipFile({ line: parser.startLine, code: 'missing-column', message: `no column "${want}" in the header (columns: ${header.join(', ')}); file skipped` });
        }
        if (opts.labelColumn !== null) {
          labelIdx = opts.labelColumn !== undefined ? header.indexOf(opts.labelColumn) : lower.indexOf('label');
          if (labelIdx < 0 && opts.labelColumn !== undefined) {
            throw skipFile({ line: parser.startLine, code: 'missing-column', message: `no label column "${opts.labelColumn}" in the header (columns: ${header.join(', ')}); file skipped` });
          }
        }
        source = 0;
        if (textIdx < 0) { guessing = { line: parser.startLine, source: recSource, rows: [] }; continue; }
        acct.drop('markup', recSource);
        continue;
      }
      if (guessing) {
        guessing.rows.push({ rec, source: recSource, line: parser.startLine });
        if (guessing.rows.length >= GUESS_ROWS) await decide(0);
        continue;
      }
      await row(rec, recSource, parser.startLine);
    }
  }
  if (guessing) await decide(parser.pending ? lastEol : 0);
  if (parser.pending) {
    acct.drop('unclosed-quote', source + lastEol);
    throw new FileSkip({ line: parser.startLine, code: 'bad-row', message: 'a quoted field opened here is never closed; the rows after it were not imported' });
  }
}

/** Thrown by an extractor when the whole file must be skipped. */
export class FileSkip extends Error {
  constructor(readonly detail: { file?: string; line?: number; offset?: number; code: CorpusIssue['code']; message: string }) { super(detail.message); }
}
