// Labeled rows for fine-tuning a classifier: CSV (RFC 4180 quoting), TSV (no quoting, as GLUE's
// SST-2) or JSONL, with a column mapping (text, an optional second text for sentence pairs, label).
// Column names are guessed from usual names when not given, and the guess is reported. A row that
// cannot be used (too few fields, empty text or label, bad JSON) is named by file and line and
// either skipped and counted, or refuses the whole file: never dropped silently.
// Labels are strings; labelMap() gives them ids (id2label / label2id, as Hugging Face's config.json),
// numeric labels in numeric order ('0','1' -> 0,1), others in code-point order.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { CsvRecordParser } from './csv';
import { mixSeed, mulberry32 } from './rng';

export interface LabeledRow {
  text: string;
  /** The second text of a sentence pair ([CLS] A [SEP] B [SEP]). */
  pair?: string;
  label: string;
  file: string;
  /** 1-based line where the row starts. */
  line: number;
}

export interface LabeledColumns {
  text: string;
  pair?: string;
  label: string;
}

export interface BadRow {
  file: string;
  line: number;
  reason: string;
}

export interface ReadLabeledOptions {
  textField?: string;
  pairField?: string;
  labelField?: string;
  /** 'skip' (default): bad rows are skipped and listed; 'refuse': the first one is an error. */
  badRows?: 'skip' | 'refuse';
}

export interface LabeledFile {
  file: string;
  format: 'csv' | 'tsv' | 'jsonl';
  columns: LabeledColumns;
  /** Which of the columns were guessed (not given), for the CLI to print. */
  guessed: (keyof LabeledColumns)[];
  rows: LabeledRow[];
  bad: BadRow[];
}

const TEXT_NAMES = ['text', 'sentence', 'sentence1', 'review', 'content', 'question', 'premise', 'text_a', 'comment', 'body'];
const PAIR_NAMES = ['sentence2', 'text_b', 'text_pair', 'hypothesis', 'question2'];
const LABEL_NAMES = ['label', 'labels', 'class', 'sentiment', 'category', 'target', 'y'];

function guess(available: readonly string[], names: readonly string[]): string | undefined {
  const lower = available.map((a) => a.toLowerCase());
  for (const n of names) {
    const i = lower.indexOf(n);
    if (i >= 0) return available[i];
  }
  return undefined;
}

/** The column mapping: the given names (checked to exist) or guesses from usual names. */
export function resolveColumns(file: string, available: readonly string[], o: ReadLabeledOptions): { columns: LabeledColumns; guessed: (keyof LabeledColumns)[] } {
  const guessed: (keyof LabeledColumns)[] = [];
  const pick = (key: keyof LabeledColumns, given: string | undefined, names: readonly string[], flag: string): string | undefined => {
    if (given !== undefined) {
      if (!available.includes(given)) throw new Error(`${file}: no column '${given}' (${flag}); its columns are ${available.join(', ')}`);
      return given;
    }
    const g = guess(available, names);
    if (g !== undefined) guessed.push(key);
    return g;
  };
  const label = pick('label', o.labelField, LABEL_NAMES, '--labelField');
  const text = pick('text', o.textField, TEXT_NAMES.filter((n) => n !== label?.toLowerCase()), '--textField');
  const pair = pick('pair', o.pairField, PAIR_NAMES, '--pairField');
  if (label === undefined) throw new Error(`${file}: no label column found among ${available.join(', ')}: name it with --labelField`);
  if (text === undefined) throw new Error(`${file}: no text column found among ${available.join(', ')}: name it with --textField`);
  if (text === label) throw new Error(`${file}: the text and label columns are both '${text}'`);
  return { columns: { text, label, ...(pair !== undefined ? { pair } : {}) }, guessed };
}

function formatOf(file: string): LabeledFile['format'] {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw new Error(`${file}: labeled data must be .csv, .tsv or .jsonl (got '${ext || 'no extension'}')`);
}

/** Reads one labeled file whole (a few MB at most for the data sets a classifier is fine-tuned on). */
export function readLabeledFile(file: string, o: ReadLabeledOptions = {}): LabeledFile {
  const format = formatOf(file);
  let text = readFileSync(file, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const bad: BadRow[] = [];
  const rows: LabeledRow[] = [];
  const reject = (line: number, reason: string): void => {
    if (o.badRows === 'refuse') throw new Error(`${file}:${line}: ${reason} (to skip such rows and count them instead: --badRows skip, or untick "Refuse the file if a row is bad" in the app)`);
    bad.push({ file, line, reason });
  };
  const accept = (line: number, columns: LabeledColumns, get: (col: string) => unknown): void => {
    const t = get(columns.text);
    const l = get(columns.label);
    const p = columns.pair !== undefined ? get(columns.pair) : undefined;
    const str = (v: unknown) => (typeof v === 'string' ? v.trim() : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);
    const ts = str(t), ls = str(l), ps = columns.pair !== undefined ? str(p) : undefined;
    if (!ts) return reject(line, `empty or missing text ('${columns.text}')`);
    if (!ls) return reject(line, `empty or missing label ('${columns.label}')`);
    if (columns.pair !== undefined && !ps) return reject(line, `empty or missing second text ('${columns.pair}')`);
    rows.push({ text: ts, label: ls, file, line, ...(ps !== undefined ? { pair: ps } : {}) });
  };

  if (format === 'jsonl') {
    let resolved: ReturnType<typeof resolveColumns> | undefined;
    lines.forEach((raw, i) => {
      const line = i + 1;
      if (raw.trim() === '') return;
      let obj: unknown;
      try {
        obj = JSON.parse(raw);
      } catch (e) {
        return reject(line, `not JSON (${(e as Error).message})`);
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return reject(line, 'not a JSON object');
      const rec = obj as Record<string, unknown>;
      resolved ??= resolveColumns(file, Object.keys(rec), o);
      accept(line, resolved.columns, (c) => rec[c]);
    });
    if (!resolved) throw new Error(`${file}: no JSON rows`);
    return { file, format, ...resolved, rows, bad };
  }

  const parser = new CsvRecordParser(format === 'csv' ? ',' : '\t', format === 'csv');
  let header: string[] | undefined;
  let resolved: ReturnType<typeof resolveColumns> | undefined;
  let index: Map<string, number> | undefined;
  for (let i = 0; i < lines.length; i++) {
    const rec = parser.pushLine(lines[i], i + 1);
    if (rec === null) continue;
    const line = parser.startLine;
    if (!header) {
      header = rec.map((h) => h.trim());
      resolved = resolveColumns(file, header, o);
      index = new Map(header.map((h, j) => [h, j]));
      continue;
    }
    if (rec.length === 1 && rec[0].trim() === '') continue; // a blank line is no row
    if (rec.length !== header.length) {
      reject(line, `${rec.length} fields, the header has ${header.length}`);
      continue;
    }
    accept(line, resolved!.columns, (c) => rec[index!.get(c)!]);
  }
  if (parser.pending) reject(parser.startLine, 'a quoted field is never closed');
  if (!header || !resolved) throw new Error(`${file}: empty file (no header row)`);
  return { file, format, ...resolved, rows, bad };
}

export interface LabelMap {
  id2label: string[];
  label2id: Record<string, number>;
}

/** Ids for the labels: numeric labels in numeric order, others in code-point order. */
export function labelMap(labels: Iterable<string>): LabelMap {
  const set = [...new Set(labels)];
  const numeric = set.every((l) => /^-?\d+(\.\d+)?$/.test(l));
  set.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { id2label: set, label2id: Object.fromEntries(set.map((l, i) => [l, i])) };
}

/** Rows per label id. */
export function classCounts(rows: readonly LabeledRow[], map: LabelMap): number[] {
  const counts = new Array<number>(map.id2label.length).fill(0);
  for (const r of rows) {
    const id = map.label2id[r.label];
    if (id === undefined) throw new Error(`${r.file}:${r.line}: label '${r.label}' is not one of ${map.id2label.join(', ')}`);
    counts[id]++;
  }
  return counts;
}

export interface LabeledSplits {
  train: LabeledRow[];
  val: LabeledRow[];
  test: LabeledRow[];
}

/**
 * A stratified, seeded split of one file: within each label, rows are shuffled with the seed and
 * round(n·testFraction) go to test, round(n·valFraction) to validation, the rest to training. Each
 * split keeps the file's order (so a split is the same whatever the class order).
 */
export function stratifiedSplit(rows: readonly LabeledRow[], o: { valFraction: number; testFraction: number; seed: number }): LabeledSplits {
  const { valFraction: vf, testFraction: tf } = o;
  if (!(vf >= 0 && tf >= 0 && vf + tf < 1)) throw new Error(`stratifiedSplit: validation ${vf} + test ${tf} must be in [0, 1)`);
  const byLabel = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const list = byLabel.get(r.label) ?? [];
    list.push(i);
    byLabel.set(r.label, list);
  });
  const where = new Uint8Array(rows.length); // 0 train, 1 val, 2 test
  for (const [label, idx] of [...byLabel].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const rng = mulberry32(mixSeed(o.seed, ...[...label].map((c) => c.codePointAt(0)!)));
    for (let i = idx.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    const nTest = Math.round(idx.length * tf);
    const nVal = Math.round(idx.length * vf);
    idx.forEach((r, k) => { where[r] = k < nTest ? 2 : k < nTest + nVal ? 1 : 0; });
  }
  const out: LabeledSplits = { train: [], val: [], test: [] };
  rows.forEach((r, i) => (where[i] === 0 ? out.train : where[i] === 1 ? out.val : out.test).push(r));
  return out;
}
