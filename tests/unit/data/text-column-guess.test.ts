// A CSV/TSV table whose header names none of the usual text columns (a pairs table such as
// cmn-eng.tsv: `english\tchinese\tattribution`) imports through a text column guessed from its
// first rows; the guess is in the report, the summary and the Corpus page's entry; a table with
// no text at all is still refused, naming the file and the header's line. Every character read
// stays accounted for (imported or dropped with a reason) whether the guess succeeds or not.
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { importCorpus, formatIssue } from '../../../src/engine/data';
import { summarizeImport, type FileReport } from '../../../src/engine/data/import-report';
import { GUESS_ROWS, guessTextColumn, isTextValue } from '../../../src/engine/data/text-column';
import { CorpusSession } from '../../../src/engine/host/corpus/session';
import { Workspace } from './helpers';

const ws = new Workspace();
afterAll(() => ws.dispose());
let n = 0;
const out = () => ws.path(`out/corpus-${n++}`);

const accounted = (f: FileReport) => f.charactersImported + Object.values(f.charactersDropped).reduce((s, x) => s + (x ?? 0), 0);

/** `rows` pairs in cmn-eng.tsv's layout (its real header), every English side distinct. */
function pairsTable(rows: number): { text: string; english: string[] } {
  const english = Array.from({ length: rows }, (_, i) => `Sentence number ${i}.`);
  const lines = english.map((e, i) => `${e}\t第${i}句。\tCC-BY 2.0 (France) Attribution: tatoeba.org #${1000 + i}`);
  return { text: `english\tchinese\tattribution\n${lines.join('\n')}\n`, english };
}

describe('guessing a table\'s text column', () => {
  test('numbers, percentages and empty fields are not text; the label column is never guessed', () => {
    for (const v of ['1', '-2.5', '3e-4', '1,234', '45%', '.5', '  ', '']) expect(isTextValue(v), v).toBe(false);
    for (const v of ['Hi.', '嗨。', 'a1', '1 apple', 'pos']) expect(isTextValue(v), v).toBe(true);
    const header = ['label', 'id', 'score', 'comment'];
    expect(guessTextColumn(header, [['pos', '1', '0.5', 'good'], ['neg', '2', '0.1', 'bad']], 0)).toBe(3);
    expect(guessTextColumn(header, [['pos', '1', '0.5', 'good']], -1)).toBe(0);
    // Mostly numbers with a stray word is still a number column.
    expect(guessTextColumn(['n', 'w'], [['1', 'a'], ['2', 'b'], ['x', 'c']], -1)).toBe(1);
    expect(guessTextColumn(['id', 'score'], [['1', '0.5'], ['2', '']], -1)).toBe(-1);
  });

  test.each([3, GUESS_ROWS, GUESS_ROWS + 7])('a pairs table with %i rows imports its first text column, the guess reported', async (rows) => {
    const { text, english } = pairsTable(rows);
    const tsv = ws.file(`pairs-${rows}.tsv`, text);
    const r = await importCorpus({ inputs: [tsv], outDir: out() });
    expect(r.issues).toEqual([]);
    expect(ws.docs(r.dir!).map((d) => d.text)).toEqual(english);
    const f = r.report.files[0];
    expect(f.textColumn).toBe('english');
    expect(f.charactersRead).toBe(accounted(f));
    expect(summarizeImport(r.report).join('\n')).toContain('text column "english" (guessed from the rows: the header names none of text, sentence');
  });

  test('numeric columns first: the first column holding text is taken, with the label column', async () => {
    const csv = ws.file('scores.csv', 'id,score,label,comment\n1,0.5,pos,"good, really"\n2,,neg,bad\n3,1e3,pos,\n');
    const r = await importCorpus({ inputs: [csv], outDir: out() });
    expect(r.report.files[0].textColumn).toBe('comment');
    // The empty comment of row 4 is a blank document (dropped), as with a named column.
    expect(ws.docs(r.dir!).map((d) => [d.text, d.label])).toEqual([['good, really', 'pos'], ['bad', 'neg']]);
    expect(r.report.files[0].charactersRead).toBe(accounted(r.report.files[0]));
  });

  test('a usual column name still wins, without a guess', async () => {
    const r = await importCorpus({ inputs: [ws.file('named.tsv', 'english\tsentence\nHi.\tHello there.\n')], outDir: out() });
    expect(ws.docs(r.dir!).map((d) => d.text)).toEqual(['Hello there.']);
    expect(r.report.files[0].textColumn).toBeUndefined();
  });

  test('no text column at all: error naming the file and the header line; nothing unaccounted', async () => {
    const rows = Array.from({ length: GUESS_ROWS + 5 }, (_, i) => `${i},${i / 4}`).join('\n');
    const csv = ws.file('numbers.csv', `id,score\n${rows}\n`);
    const good = ws.file('good.txt', 'a paragraph');
    const r = await importCorpus({ inputs: [csv, good], outDir: out() });
    expect(r.issues).toEqual([expect.objectContaining({ file: csv, line: 1, code: 'missing-column', severity: 'error' })]);
    expect(formatIssue(r.issues[0])).toMatch(/numbers\.csv, line 1: no text column: none is named text, sentence, review, content, body, and no column holds text \(rather than numbers\) in the first 50 rows \(columns: id, score\)/);
    const f = r.report.files[0];
    expect(f.imported).toBe(false);
    expect(f.charactersDropped['file-skipped']).toBeGreaterThan(0);
    expect(f.charactersRead).toBe(accounted(f));
    expect(r.manifest!.stats.documents).toBe(1);

    const headerOnly = ws.file('header-only.tsv', 'english\tchinese\n');
    const h = await importCorpus({ inputs: [headerOnly], outDir: out() });
    expect(h.issues[0]).toMatchObject({ file: headerOnly, line: 1, code: 'missing-column' });
    expect(h.issues[0].message).toMatch(/the file has no rows after the header/);
    expect(h.report.files[0].charactersRead).toBe(accounted(h.report.files[0]));
  });

  test('an unclosed quote while guessing: the rows before it import, the rest is reported', async () => {
    const csv = ws.file('unclosed.csv', 'english,chinese\nHi.,嗨。\n"never closed,x\nmore\n');
    const r = await importCorpus({ inputs: [csv], outDir: out() });
    expect(ws.docs(r.dir!).map((d) => d.text)).toEqual(['Hi.']);
    expect(r.issues).toEqual([expect.objectContaining({ code: 'bad-row', line: 3, severity: 'error' })]);
    expect(r.report.files[0].charactersRead).toBe(accounted(r.report.files[0]));
  });

  test('the Corpus page (host corpus session) imports the table and shows the guess beside the file', async () => {
    const session = new CorpusSession(() => {}, undefined, ws.path('session-work'));
    const tsv = ws.file('cmn-like.tsv', pairsTable(4).text);
    const numbers = ws.file('ids.tsv', 'id\tcount\n1\t2\n');
    await Promise.all(session.add([tsv, numbers], false).started);
    const [ok, bad] = session.snapshot().files;
    expect(ok.status).toBe('ok');
    expect(ok.documents).toBe(4);
    expect(ok.notes).toEqual([`${tsv}: text column "english" (guessed from the rows: the header names none of text, sentence, review, content, body)`]);
    expect(bad.status).toBe('error');
    expect(bad.notes).toBeUndefined();
    expect(bad.issues[0]).toMatchObject({ file: join(ws.root, 'ids.tsv'), line: 1, code: 'missing-column' });
  });
});
