// seq2seq on paired rows: the importer's paired mode (TSV/CSV/JSONL, default the first two
// columns, --sourceField/--targetField), its refusals naming file and line (missing column, empty
// side, a .txt file), the character accounting, a joint char tokenizer that keeps [SEP] between
// the sides, and the collator's rows (source to the encoder, target teacher-forced).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { batchRng, importCorpus } from '../../../src/engine/data';
import { validateTrainOptions } from '../../../src/engine/config/train-config';
import { IGNORE_INDEX } from '../../../src/engine/ops/crossentropy';
import { listObjectives, type TrainableObjective } from '../../../src/engine/objectives/index.ts';
import { pairOf } from '../../../src/engine/objectives/seq2seq';
import { prepareData } from '../../../src/engine/train/prepare';

const dir = mkdtempSync(join(tmpdir(), 'seq2seq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };

const rows = Array.from({ length: 40 }, (_, i) => [`I have ${i} cats.`, `我有${i}只猫。`]);
const tsv = file('pairs.tsv', ['english\tchinese\tattribution', ...rows.map(([e, z], i) => `${e}\t${z}\tCC-BY #${i}`)].join('\n') + '\n');

const docs = (outDir: string) => readFileSync(join(outDir, 'documents.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).text as string);

describe('paired import', () => {
  test('TSV: the first two columns by default, joined by [SEP]; printed in the report; every character accounted', async () => {
    const r = await importCorpus({ inputs: [tsv], outDir: join(dir, 'c1'), pairs: { source: undefined, target: undefined } });
    expect(r.issues).toEqual([]);
    expect(docs(r.dir!)).toEqual(rows.map(([e, z]) => `${e}[SEP]${z}`));
    const f = r.report.files[0];
    expect(f.pairs).toEqual({ source: 'english', target: 'chinese' });
    const dropped = Object.values(f.charactersDropped).reduce((a, b) => a + (b ?? 0), 0);
    expect(f.charactersImported + dropped).toBe(f.charactersRead);
  });

  test('--sourceField/--targetField swap the sides; a missing column skips the file naming file and header line', async () => {
    const r = await importCorpus({ inputs: [tsv], outDir: join(dir, 'c2'), pairs: { source: 'chinese', target: 'english' } });
    expect(docs(r.dir!)[0]).toBe('我有0只猫。[SEP]I have 0 cats.');
    const bad = await importCorpus({ inputs: [tsv], outDir: join(dir, 'c3'), pairs: { source: 'english', target: 'french' } });
    expect(bad.issues[0]).toMatchObject({ file: tsv, line: 1, code: 'missing-column', severity: 'error' });
    expect(bad.issues[0].message).toMatch(/no target column "french" in the header \(columns: english, chinese, attribution\)/);
    const one = file('one.tsv', 'text\nhello\n');
    const single = await importCorpus({ inputs: [one], outDir: join(dir, 'c4'), pairs: { source: undefined, target: undefined } });
    expect(single.issues[0]).toMatchObject({ file: one, line: 1, code: 'missing-column' });
    expect(single.issues[0].message).toMatch(/the header has 1 column, a pair needs two/);
  });

  test('an empty side skips the row, naming file and line; CSV quoting and JSONL fields work the same', async () => {
    const csv = file('pairs.csv', 'src,tgt\n"Hello, world.",你好，世界。\nBye.,\n,再见。\n"Two\nlines",两行\n');
    const r = await importCorpus({ inputs: [csv], outDir: join(dir, 'c5'), pairs: { source: undefined, target: undefined } });
    expect(docs(r.dir!)).toEqual(['Hello, world.[SEP]你好，世界。', 'Two\nlines[SEP]两行']);
    expect(r.issues.map((i) => [i.file, i.line, i.code, i.message])).toEqual([
      [csv, 3, 'empty-side', 'the target "tgt" is empty; row skipped'],
      [csv, 4, 'empty-side', 'the source "src" is empty; row skipped'],
    ]);
    const f = r.report.files[0];
    expect(f.charactersImported + Object.values(f.charactersDropped).reduce((a, b) => a + (b ?? 0), 0)).toBe(f.charactersRead);
    const jsonl = file('pairs.jsonl', '{"id": 1, "en": "Hi.", "zh": "嗨。"}\n{"en": "Run!"}\n{"en": "Go.", "zh": ""}\n');
    const j = await importCorpus({ inputs: [jsonl], outDir: join(dir, 'c6'), pairs: { source: undefined, target: undefined } });
    expect(docs(j.dir!)).toEqual(['Hi.[SEP]嗨。']);
    expect(j.issues.map((i) => [i.line, i.code])).toEqual([[2, 'missing-field'], [3, 'empty-side']]);
    const txt = file('pairs.txt', 'Hi.\n');
    const t = await importCorpus({ inputs: [txt], outDir: join(dir, 'c7'), pairs: { source: undefined, target: undefined } });
    expect(t.issues[0]).toMatchObject({ file: txt, code: 'unsupported-type', severity: 'error' });
  });
});

describe('two line-aligned files', () => {
  const en = file('train.en', rows.map(([e]) => e).join('\n') + '\n');
  const zh = file('train.zh', rows.map(([, z]) => z).join('\n')); // no final line break: the same 40 lines

  test('pair line i with line i: the same documents, tokenizer and token ids as the TSV of the same pairs', async () => {
    const r = await importCorpus({ inputs: [en], targetFiles: [zh], outDir: join(dir, 'l1'), pairs: { source: undefined, target: undefined } });
    expect(r.issues).toEqual([]);
    expect(docs(r.dir!)).toEqual(rows.map(([e, z]) => `${e}[SEP]${z}`));
    const f = r.report.files[0];
    expect(f.pairs).toEqual({ source: en, target: zh });
    expect(f.charactersImported + Object.values(f.charactersDropped).reduce((a, b) => a + (b ?? 0), 0)).toBe(f.charactersRead);
    const base = { objective: 'seq2seq', tokenizer: 'char', blockSize: 12, valFraction: 0.2 };
    const lines = await prepareData(validateTrainOptions({ ...base, corpus: [en], targetCorpus: [zh], runsDir: join(dir, 'runs-lines') }));
    const table = await prepareData(validateTrainOptions({ ...base, corpus: [tsv], runsDir: join(dir, 'runs-tsv') }));
    expect(lines.tokenizer.vocabSize).toBe(table.tokenizer.vocabSize);
    expect(lines.dataset.tokens.length).toBe(table.dataset.tokens.length);
    expect([...lines.dataset.tokens.subarray(0, lines.dataset.tokens.length)]).toEqual([...table.dataset.tokens.subarray(0, table.dataset.tokens.length)]);
    expect([...lines.dataset.docStarts]).toEqual([...table.dataset.docStarts]);
    expect([...lines.val.documents]).toEqual([...table.val.documents]);
  });

  test('line counts that differ: neither file is imported; the error names both files and the first line where one has ended', async () => {
    const short = file('short.zh', rows.slice(0, 37).map(([, z]) => z).join('\n') + '\n');
    const r = await importCorpus({ inputs: [en], targetFiles: [short], outDir: join(dir, 'l2'), pairs: { source: undefined, target: undefined } });
    expect(r.dir).toBeNull();
    expect(r.issues[0]).toMatchObject({ file: en, line: 38, code: 'line-counts-differ', severity: 'error' });
    expect(r.issues[0].message).toBe(`line-aligned pair files differ in length: ${en} has 40 lines, ${short} has 37; the target ${short} ends after line 37, so line 38 of ${en} has no target; neither file imported`);
    const long = file('long.en', rows.map(([e]) => e).join('\n') + '\nOne more.\n');
    const r2 = await importCorpus({ inputs: [long], targetFiles: [zh], outDir: join(dir, 'l3'), pairs: { source: undefined, target: undefined } });
    expect(r2.issues[0].message).toMatch(new RegExp(`the target ${zh} ends after line 40, so line 41 of ${long} has no target`));
  });

  test('an empty side skips the pair, naming its own file and line', async () => {
    const src = file('empty.en', 'Hello.\n\nBye.\nRun!\n');
    const tgt = file('empty.zh', '你好。\n再见？\n再见。\n\n');
    const r = await importCorpus({ inputs: [src], targetFiles: [tgt], outDir: join(dir, 'l4'), pairs: { source: undefined, target: undefined } });
    expect(docs(r.dir!)).toEqual(['Hello.[SEP]你好。', 'Bye.[SEP]再见。']);
    expect(r.issues.map((i) => [i.file, i.line, i.code, i.message])).toEqual([
      [src, 2, 'empty-side', `the source "${src}" is empty; row skipped`],
      [tgt, 4, 'empty-side', `the target "${tgt}" is empty; row skipped`],
    ]);
    const f = r.report.files[0];
    expect(f.charactersImported + Object.values(f.charactersDropped).reduce((a, b) => a + (b ?? 0), 0)).toBe(f.charactersRead);
  });

  test('--targetCorpus is refused for objectives that read plain text, and without one file per corpus file', () => {
    expect(() => validateTrainOptions({ objective: 'clm', corpus: [en], targetCorpus: [zh] })).toThrow(/targetCorpus is for objectives that read pairs \(seq2seq\); objective 'clm' reads plain text/);
    expect(() => validateTrainOptions({ objective: 'seq2seq', corpus: [en, tsv], targetCorpus: [zh] })).toThrow(/targetCorpus must name one target file per --corpus file/);
  });
});

test('the trainer\'s data path: a joint char tokenizer keeps [SEP] between the sides; the collator feeds source to the encoder and teaches the target', async () => {
  const o = validateTrainOptions({ corpus: [tsv], objective: 'seq2seq', tokenizer: 'char', blockSize: 12, valFraction: 0.2, runsDir: join(dir, 'runs') });
  const data = await prepareData(o);
  const tok = data.tokenizer;
  const sep = tok.tokenToId('[SEP]')!;
  // Both sides' characters are in the one vocabulary.
  for (const ch of ['I', 'c', '我', '猫', '。']) expect(tok.tokenToId(ch), ch).toBeDefined();
  const texts = new Set(rows.map(([e, z]) => `${e}|${z}`));
  for (let d = 0; d < data.dataset.meta.numDocuments; d++) {
    const p = pairOf(data.dataset, d, sep);
    expect(texts.has(`${tok.decode([...p.source])}|${tok.decode([...p.target])}`)).toBe(true);
  }
  const entry = listObjectives().find((e) => e.id === 'seq2seq') as TrainableObjective;
  expect(entry.status).toBe('available');
  const T = 12, B = 16;
  const b = entry.collator(tok, o).batch(data.dataset, data.train, B, T, batchRng(1, 0, 'train'));
  for (let r = 0; r < B; r++) {
    const len = b.kvLen[r];
    const src = [...b.input_ids.subarray(r * T, r * T + len)];
    expect(src[0]).toBe(tok.tokenToId('[CLS]'));
    expect(src.at(-1)).toBe(sep);
    const labels = [...b.labels.subarray(r * T, (r + 1) * T)].filter((v) => v !== IGNORE_INDEX);
    const dec = [...b.decoder_input_ids.subarray(r * T, (r + 1) * T)];
    expect(dec[0]).toBe(tok.tokenToId('[CLS]'));
    expect(dec.slice(1, labels.length)).toEqual(labels.slice(0, -1));
    const source = tok.decode(src.slice(1, -1)), target = tok.decode(labels.filter((v) => v !== sep));
    // Sources longer than T - 2 are cut (the targets here fit in T - 1).
    expect(rows.some(([e, z]) => e.startsWith(source) && z === target), `${source} | ${target}`).toBe(true);
  }
});
