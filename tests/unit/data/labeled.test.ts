// Labeled rows for fine-tuning: CSV with quoted multi-line fields, TSV, JSONL, column guesses,
// bad rows named by file and line (skipped and listed, or refused), label ids, stratified split
// proportions and seeds; and the real SST-2 and waimai files, counted against Python's csv module.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { classCounts, labelMap, readLabeledFile, stratifiedSplit, type LabeledRow } from '../../../src/engine/data/labeled';

const dir = mkdtempSync(join(tmpdir(), 'labeled-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test('CSV: quoted fields with commas, quotes and newlines; columns guessed and said; bad rows named by line', () => {
  const p = file('a.csv', 'id,review,label\n1,"good, very ""good""",pos\n2,"two\nlines",neg\n3,,neg\n4,fine\n5,ok,\n6,great,pos\n');
  const r = readLabeledFile(p);
  expect(r.columns).toEqual({ text: 'review', label: 'label' });
  expect(r.guessed.sort()).toEqual(['label', 'text']);
  expect(r.rows.map((x) => [x.text, x.label, x.line])).toEqual([['good, very "good"', 'pos', 2], ['two\nlines', 'neg', 3], ['great', 'pos', 8]]);
  expect(r.bad).toEqual([
    { file: p, line: 5, reason: "empty or missing text ('review')" },
    { file: p, line: 6, reason: '2 fields, the header has 3' },
    { file: p, line: 7, reason: "empty or missing label ('label')" },
  ]);
  expect(() => readLabeledFile(p, { badRows: 'refuse' })).toThrow(`${p}:5: empty or missing text ('review')`);
  expect(() => readLabeledFile(p, { textField: 'body' })).toThrow(/no column 'body' \(--textField\); its columns are id, review, label/);
});

test('TSV (no quoting) and JSONL with sentence pairs; given columns win over guesses', () => {
  const t = readLabeledFile(file('b.tsv', 'y\tsentence1\tsentence2\n1\t"a\tb\n0\tc\td\n'), { labelField: 'y' });
  expect(t.columns).toEqual({ text: 'sentence1', pair: 'sentence2', label: 'y' });
  expect(t.rows.map((x) => [x.text, x.pair, x.label])).toEqual([['"a', 'b', '1'], ['c', 'd', '0']]);
  const j = readLabeledFile(file('c.jsonl', '{"q":"x","cls":"A"}\n\n{"q":"y","cls":"B"}\nnot json\n[1]\n{"q":"z","cls":3}\n'), { textField: 'q', labelField: 'cls' });
  expect(j.rows.map((x) => [x.text, x.label, x.line])).toEqual([['x', 'A', 1], ['y', 'B', 3], ['z', '3', 6]]);
  expect(j.bad.map((b) => [b.line, b.reason.split(' (')[0]])).toEqual([[4, 'not JSON'], [5, 'not a JSON object']]);
  expect(() => readLabeledFile(file('d.txt', 'x'))).toThrow(/must be \.csv, \.tsv or \.jsonl/);
  expect(() => readLabeledFile(file('e.csv', 'foo,bar\n1,2\n'))).toThrow(/no label column found among foo, bar: name it with --labelField/);
});

test('label ids: numeric labels in numeric order, others in code-point order; the map round-trips', () => {
  expect(labelMap(['10', '2', '2', '-1']).id2label).toEqual(['-1', '2', '10']);
  const m = labelMap(['neutral', 'positive', 'negative', 'positive']);
  expect(m.id2label).toEqual(['negative', 'neutral', 'positive']);
  for (const [i, l] of m.id2label.entries()) expect(m.label2id[l]).toBe(i);
  const rows = ['b', 'a', 'b'].map((label, i): LabeledRow => ({ text: 't', label, file: 'f', line: i + 1 }));
  expect(classCounts(rows, labelMap(rows.map((r) => r.label)))).toEqual([1, 2]);
  expect(() => classCounts([{ text: 't', label: 'z', file: 'f.csv', line: 9 }], m)).toThrow("f.csv:9: label 'z' is not one of negative, neutral, positive");
});

test('stratified split: each class split in the asked proportions, disjoint, seeded, file order kept', () => {
  const rows: LabeledRow[] = Array.from({ length: 1000 }, (_, i) => ({ text: `t${i}`, label: i % 10 < 7 ? 'maj' : i % 10 < 9 ? 'mid' : 'min', file: 'f', line: i + 2 }));
  const s = stratifiedSplit(rows, { valFraction: 0.1, testFraction: 0.2, seed: 7 });
  const m = labelMap(rows.map((r) => r.label));
  expect(classCounts(s.test, m)).toEqual([140, 40, 20]); // maj 700, mid 200, min 100 (code-point order: maj, mid, min)
  expect(classCounts(s.val, m)).toEqual([70, 20, 10]);
  expect(classCounts(s.train, m)).toEqual([490, 140, 70]);
  const all = new Set([...s.train, ...s.val, ...s.test].map((r) => r.line));
  expect(all.size).toBe(1000);
  expect(s.test.map((r) => r.line)).toEqual([...s.test.map((r) => r.line)].sort((a, b) => a - b));
  expect(stratifiedSplit(rows, { valFraction: 0.1, testFraction: 0.2, seed: 7 }).test).toEqual(s.test);
  expect(stratifiedSplit(rows, { valFraction: 0.1, testFraction: 0.2, seed: 8 }).test).not.toEqual(s.test);
  expect(() => stratifiedSplit(rows, { valFraction: 0.5, testFraction: 0.5, seed: 1 })).toThrow(/must be in \[0, 1\)/);
});

const datasets = join(__dirname, '..', '..', '..', '..', 'shared', 'datasets');
test('the real SST-2 (TSV) and waimai10k (CSV) files: every row read, as Python\'s csv module counts them', (c) => {
  const sst2 = join(datasets, 'sst2-train.tsv');
  const waimai = join(datasets, 'waimai10k.csv');
  if (!existsSync(sst2) || !existsSync(waimai)) {
    console.warn(`SKIPPED: ${datasets} lacks sst2-train.tsv or waimai10k.csv`);
    c.skip();
    return;
  }
  // python3: csv.reader(delimiter='\t', quoting=csv.QUOTE_NONE): 67349 rows, 29780 '0' / 37569 '1';
  // csv.reader(','): 11987 rows, 7987 '0' / 4000 '1'; no short or empty rows in either.
  const s = readLabeledFile(sst2);
  expect(s.columns).toEqual({ text: 'sentence', label: 'label' });
  expect([s.rows.length, s.bad.length]).toEqual([67349, 0]);
  expect(classCounts(s.rows, labelMap(s.rows.map((r) => r.label)))).toEqual([29780, 37569]);
  const w = readLabeledFile(waimai);
  expect(w.columns).toEqual({ text: 'review', label: 'label' });
  expect([w.rows.length, w.bad.length]).toEqual([11987, 0]);
  expect(classCounts(w.rows, labelMap(w.rows.map((r) => r.label)))).toEqual([7987, 4000]);
  expect(w.rows[0]).toMatchObject({ text: '很快，好吃，味道足，量大', label: '1', line: 2 });
});
