// A labeled file for prompting evaluations: one example per row, with its text and its class.
//   .csv  header row, RFC 4180 quoting (waimai10k.csv: label,review)
//   .tsv  header row, tab-separated, no quoting (GLUE's sst2-train.tsv: sentence<TAB>label)
//   .jsonl one object per line with the text and label fields
// The text column defaults to the first of text, sentence, review, content, body; the label
// column to 'label'. Errors name the file and the line.
import { readFileSync } from 'node:fs';
import { CsvRecordParser } from '../data/csv';

export interface LabeledExample {
  text: string;
  /** The class as written in the file ('0', 'positive' …). */
  label: string;
  /** 1-based line the row starts on. */
  line: number;
}

export interface LabeledFileOptions {
  textColumn?: string;
  labelColumn?: string;
}

const TEXT_COLUMNS = ['text', 'sentence', 'review', 'content', 'body'];

export function readLabeledFile(path: string, o: LabeledFileOptions = {}): LabeledExample[] {
  const lines = readFileSync(path, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  const textKey = o.textColumn, labelKey = o.labelColumn ?? 'label';
  const out: LabeledExample[] = [];
  if (/\.jsonl$/i.test(path)) {
    lines.forEach((raw, i) => {
      if (raw.trim() === '') return;
      let row: Record<string, unknown>;
      try {
        row = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        throw new Error(`${path}:${i + 1}: not a JSON object`);
      }
      const key = textKey ?? TEXT_COLUMNS.find((k) => typeof row[k] === 'string');
      if (key === undefined || typeof row[key] !== 'string') throw new Error(`${path}:${i + 1}: no text field${textKey ? ` '${textKey}'` : ` (${TEXT_COLUMNS.join(', ')})`}`);
      if (row[labelKey] === undefined || row[labelKey] === null) throw new Error(`${path}:${i + 1}: no label field '${labelKey}'`);
      out.push({ text: row[key] as string, label: String(row[labelKey]), line: i + 1 });
    });
    return out;
  }
  const tsv = /\.tsv$/i.test(path);
  if (!tsv && !/\.csv$/i.test(path)) throw new Error(`${path}: a labeled file is .csv, .tsv or .jsonl`);
  const parser = new CsvRecordParser(tsv ? '\t' : ',', !tsv);
  let header: string[] | null = null;
  let textIdx = -1, labelIdx = -1;
  lines.forEach((raw, i) => {
    if (raw === '' && !parser.pending) return;
    const rec = parser.pushLine(raw, i + 1);
    if (rec === null) return;
    if (header === null) {
      header = rec.map((h) => h.trim());
      const lower = header.map((h) => h.toLowerCase());
      textIdx = textKey !== undefined ? header.indexOf(textKey) : lower.findIndex((h) => TEXT_COLUMNS.includes(h));
      labelIdx = header.indexOf(labelKey) >= 0 ? header.indexOf(labelKey) : lower.indexOf(labelKey.toLowerCase());
      if (textIdx < 0) throw new Error(`${path}:${i + 1}: no text column${textKey ? ` '${textKey}'` : ` (${TEXT_COLUMNS.join(', ')})`} in the header (columns: ${header.join(', ')})`);
      if (labelIdx < 0) throw new Error(`${path}:${i + 1}: no label column '${labelKey}' in the header (columns: ${header.join(', ')})`);
      return;
    }
    if (rec.length <= Math.max(textIdx, labelIdx)) throw new Error(`${path}:${parser.startLine}: ${rec.length} fields, the header has ${(header as string[]).length}`);
    const label = rec[labelIdx].trim();
    if (label === '') throw new Error(`${path}:${parser.startLine}: the label is empty`);
    out.push({ text: rec[textIdx], label, line: parser.startLine });
  });
  if (parser.pending) throw new Error(`${path}: a quoted field opened on line ${parser.startLine} never closes`);
  return out;
}
