// What the Fine-tune tab shows of a labeled file before training, without a GPU: its columns (for
// the mapping), the guessed or chosen mapping, the labels and their balance overall and in each
// split of the stratified seeded split the run will use, and every problem named by file, line
// and column: bad rows (skipped and listed, or refused), and classes with too few rows to appear
// in every split.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { CsvRecordParser } from '../data/csv';
import { resolveColumns, type BadRow, type LabeledColumns } from '../data/labeled';
import { loadLabeledData, type FineTuneOptions, type LabeledData } from './run';

export type PreviewOptions = Pick<FineTuneOptions, 'data' | 'textField' | 'pairField' | 'labelField' | 'badRows' | 'valFraction' | 'testFraction' | 'seed'>;

export interface LabeledPreview {
  /** Every column of the file (a CSV/TSV header, the keys of the first JSONL object). */
  available: string[];
  /** The mapping in use; absent when text or label could not be guessed (`error` says which). */
  columns: LabeledColumns | null;
  guessed: (keyof LabeledColumns)[];
  labels: string[];
  /** Rows per label (in `labels` order): all, and per split. */
  counts: number[];
  balance: { train: number[]; val: number[]; test: number[] };
  rows: number;
  /** The first bad rows (all are counted in `badCount`). */
  bad: BadRow[];
  badCount: number;
  /** Why this file cannot be fine-tuned on as mapped (null: it can). */
  error: string | null;
}

const BAD_SHOWN = 20;

/** The column names of a labeled file: its header row, or the first JSON object's keys. */
export function labeledHeader(file: string): string[] {
  const ext = extname(file).toLowerCase();
  let text = readFileSync(file, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  if (ext === '.jsonl' || ext === '.ndjson') {
    for (const [i, raw] of lines.entries()) {
      if (raw.trim() === '') continue;
      try {
        const obj: unknown = JSON.parse(raw);
        if (typeof obj === 'object' && obj !== null && !Array.isArray(obj)) return Object.keys(obj);
      } catch {
        // the reader names this line as a bad row
      }
      if (i > 1000) break;
    }
    throw new Error(`${file}: no JSON object rows`);
  }
  if (ext !== '.csv' && ext !== '.tsv' && ext !== '.tab') throw new Error(`${file}: labeled data must be .csv, .tsv or .jsonl (got '${ext || 'no extension'}')`);
  const parser = new CsvRecordParser(ext === '.csv' ? ',' : '\t', ext === '.csv');
  for (const [i, line] of lines.entries()) {
    const rec = parser.pushLine(line, i + 1);
    if (rec !== null) return rec.map((h) => h.trim());
  }
  throw new Error(`${file}: empty file (no header row)`);
}

/**
 * The fewest rows a class needs so the stratified split (round(n·f) rows of each class to a
 * split) gives it at least one row in training and in every split with a non-zero fraction.
 */
export function minRowsPerClass(valFraction: number, testFraction: number): number {
  for (let n = 1; n < 10_000; n++) {
    const nTest = Math.round(n * testFraction), nVal = Math.round(n * valFraction);
    if (n - nTest - nVal >= 1 && (testFraction === 0 || nTest >= 1) && (valFraction === 0 || nVal >= 1)) return n;
  }
  throw new Error(`validation ${valFraction} + test ${testFraction} leave no training rows`);
}

/** Refuses a class too small for the split, naming the file, the label column, the class and its rows' lines. */
export function checkRowsPerClass(d: LabeledData, o: Pick<PreviewOptions, 'valFraction' | 'testFraction'>): void {
  const need = minRowsPerClass(o.valFraction, o.testFraction);
  const all = [...d.splits.train, ...d.splits.val, ...d.splits.test];
  const few: string[] = [];
  d.labels.id2label.forEach((label, k) => {
    const n = d.balance.train[k] + d.balance.val[k] + d.balance.test[k];
    if (n >= need) return;
    const lines = all.filter((r) => r.label === label).map((r) => r.line).sort((a, b) => a - b);
    few.push(`'${label}' has ${n} row${n === 1 ? '' : 's'} (line${lines.length === 1 ? '' : 's'} ${lines.slice(0, 5).join(', ')}${lines.length > 5 ? ', …' : ''})`);
  });
  if (few.length) {
    throw new Error(`${d.files[0].file}: label column '${d.columns.label}': ${few.join('; ')}; with validation ${o.valFraction} and test ${o.testFraction} each class needs at least ${need} rows to appear in every split`);
  }
}

export function previewLabeledFile(o: PreviewOptions): LabeledPreview {
  const available = labeledHeader(o.data);
  const empty = { labels: [], counts: [], balance: { train: [], val: [], test: [] }, rows: 0, bad: [], badCount: 0 };
  let mapping: ReturnType<typeof resolveColumns>;
  try {
    mapping = resolveColumns(o.data, available, o);
  } catch (error) {
    return { available, columns: null, guessed: [], ...empty, error: (error as Error).message };
  }
  const { columns, guessed } = mapping;
  let d: LabeledData;
  try {
    d = loadLabeledData({ ...o, valData: '', testData: '', textField: columns.text, pairField: columns.pair, labelField: columns.label });
  } catch (error) {
    return { available, columns, guessed, ...empty, error: (error as Error).message };
  }
  const counts = d.labels.id2label.map((_, k) => d.balance.train[k] + d.balance.val[k] + d.balance.test[k]);
  let error: string | null = null;
  try {
    checkRowsPerClass(d, o);
  } catch (e) {
    error = (e as Error).message;
  }
  return {
    available, columns, guessed, labels: d.labels.id2label, counts, balance: d.balance,
    rows: d.splits.train.length + d.splits.val.length + d.splits.test.length, bad: d.bad.slice(0, BAD_SHOWN), badCount: d.bad.length, error,
  };
}
