// Problems found while importing, in a shape the UI can list and the CLI can print:
// which file, where (1-based line, byte offset from the file start where we know it), a stable
// code, and a sentence. 'error' means the file (or the rest of it) was skipped; 'warning' means a
// line or row was skipped, or text was changed (split, bytes replaced, controls removed).

export type CorpusIssueCode =
  | 'not-found' | 'unsupported-type' | 'empty-file' | 'binary' | 'undecodable' | 'invalid-bytes'
  | 'line-too-long' | 'bad-json' | 'missing-field' | 'missing-column' | 'bad-row' | 'record-too-long'
  | 'read-failed' | 'too-many-issues' | 'no-documents' | 'line-split' | 'control-characters' | 'extra-fields' | 'empty-side'
  | 'line-counts-differ';

export interface CorpusIssue {
  file: string;
  line?: number;
  offset?: number;
  code: CorpusIssueCode;
  severity: 'error' | 'warning';
  message: string;
}

export function formatIssue(i: CorpusIssue): string {
  const where = [i.file, i.line !== undefined ? `line ${i.line}` : '', i.offset !== undefined ? `byte ${i.offset}` : '']
    .filter(Boolean).join(', ');
  return `${i.severity} [${i.code}] ${where}: ${i.message}`;
}
