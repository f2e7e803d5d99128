// Every importer path: formats, document boundaries, encodings, normalization, dedup, stats.
import { readFileSync, symlinkSync } from 'node:fs';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, test } from 'vitest';
import { importCorpus, loadManifest, readDocuments } from '../../../src/engine/data';
import { trainTokenizer } from '../../../src/engine/tokenizers';
import { fixture, Workspace } from './helpers';

const ws = new Workspace();
afterAll(() => ws.dispose());
let n = 0;
const out = () => ws.path(`corpus-${n++}`);

describe('formats', () => {
  test('.txt: blank-line separated paragraphs are documents; inner newlines kept; CRLF normalized', async () => {
    const p = ws.file('a.txt', 'Line one\r\nline two\r\n\r\n\r\nSecond para\n   \nThird\n');
    const r = await importCorpus({ inputs: [p], outDir: out() });
    expect(r.issues).toEqual([]);
    expect(ws.docs(r.dir!).map((d) => d.text)).toEqual(['Line one\nline two', 'Second para', 'Third']);
  });

  test("textDocuments 'file': one document per file, every line and blank line kept; long files cut at lines", async () => {
    const text = 'one\n\n\nthree blank-separated\n  indented\n';
    const r = await importCorpus({ inputs: [ws.file('whole.txt', text)], outDir: out(), textDocuments: 'file' });
    expect(ws.docs(r.dir!).map((d) => d.text)).toEqual([text]);
    const long = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const cut = await importCorpus({ inputs: [ws.file('whole-long.txt', long)], outDir: out(), textDocuments: 'file', maxDocumentChars: 60 });
    const docs = ws.docs(cut.dir!).map((d) => d.text);
    expect(docs.length).toBeGreaterThan(4);
    expect(docs.join('')).toBe(long);
  });

  test('.md is read like text', async () => {
    const p = ws.file('b.md', '# Title\n\nSome *markdown* text.\n');
    const r = await importCorpus({ inputs: [p], outDir: out() });
    expect(ws.docs(r.dir!).map((d) => d.text)).toEqual(['# Title', 'Some *markdown* text.']);
  });

  test('a paragraph longer than maxDocumentChars is cut at line boundaries', async () => {
    const p = ws.file('long.txt', Array.from({ length: 10 }, (_, i) => `line ${i} xxxxxxxxxx`).join('\n'));
    const r = await importCorpus({ inputs: [p], outDir: out(), maxDocumentChars: 50 });
    const docs = ws.docs(r.dir!).map((d) => d.text);
    expect(docs.length).toBeGreaterThan(3);
    expect(docs.every((d) => d.length <= 50)).toBe(true);
    expect(docs.join('\n')).toBe(Array.from({ length: 10 }, (_, i) => `line ${i} xxxxxxxxxx`).join('\n'));
  });

  test('.jsonl: a row per document, chosen field, labels, bad lines reported by number', async () => {
    const r = await importCorpus({ inputs: [fixture('rows.jsonl')], outDir: out() });
    expect(ws.docs(r.dir!)).toEqual([
      { text: 'First row of the JSONL file.', label: 'pos', source: 0 },
      { text: 'Second row, 第二行。', label: 'neg', source: 0 },
      { text: 'Fourth row without a label', source: 0 },
    ]);
    expect(r.issues.map((i) => [i.code, i.line, i.severity])).toEqual([['missing-field', 3, 'warning'], ['bad-json', 4, 'warning']]);
    expect(r.issues[1].offset).toBe(Buffer.byteLength(readLines(fixture('rows.jsonl')).slice(0, 3).join('\n') + '\n'));
    const body = await importCorpus({ inputs: [fixture('rows.jsonl')], outDir: out(), textField: 'body', labelField: null });
    expect(ws.docs(body.dir!)).toEqual([{ text: 'this row has no text field', source: 0 }]);
  });

  test('.csv: header, quoted fields with commas, "" quotes and embedded newlines, label column', async () => {
    const r = await importCorpus({ inputs: [fixture('reviews.csv')], outDir: out() });
    expect(r.issues).toEqual([]);
    expect(ws.docs(r.dir!)).toEqual([
      { text: 'Great phone, fast and "really" light', label: '1', source: 0 },
      { text: 'Battery died after a day.\nScreen cracked too.', label: '0', source: 0 },
      { text: 'Works as described', label: '1', source: 0 },
      { text: 'Slow, noisy; would not buy again', label: '0', source: 0 },
      { text: '送货很快，味道不错', label: '1', source: 0 },
    ]);
    expect(r.manifest!.stats.labels).toEqual({ 0: 2, 1: 3 });
  });

  test('.tsv: tab separated, quotes are ordinary characters, chosen columns', async () => {
    const p = ws.file('s.tsv', 'sentence\tlabel\tid\n"quoted" start\t1\t7\nplain\t0\t8\n');
    const r = await importCorpus({ inputs: [p], outDir: out() });
    expect(ws.docs(r.dir!)).toEqual([{ text: '"quoted" start', label: '1', source: 0 }, { text: 'plain', label: '0', source: 0 }]);
    const byId = await importCorpus({ inputs: [p], outDir: out(), textColumn: 'sentence', labelColumn: 'id' });
    expect(ws.docs(byId.dir!).map((d) => d.label)).toEqual(['7', '8']);
  });

  test('folders are searched recursively, in name order; other files and dotfiles are ignored', async () => {
    ws.file('tree/b/two.txt', 'two');
    ws.file('tree/a/one.md', 'one');
    ws.file('tree/a/skip.bin', 'zzz');
    ws.file('tree/.hidden/three.txt', 'three');
    const r = await importCorpus({ inputs: [ws.path('tree')], outDir: out() });
    expect(ws.docs(r.dir!).map((d) => d.text)).toEqual(['one', 'two']);
    expect(r.manifest!.files.map((f) => f.path.split('/').slice(-2).join('/'))).toEqual(['a/one.md', 'b/two.txt']);
    // A corpus store written inside the folder is not imported back; symlinked files are followed.
    await importCorpus({ inputs: [ws.path('tree')], outDir: ws.path('tree/data/corpus') });
    symlinkSync(ws.file('elsewhere/three.txt', 'three'), ws.path('tree/c-link.txt'));
    const again = await importCorpus({ inputs: [ws.path('tree')], outDir: out() });
    expect(ws.docs(again.dir!).map((d) => d.text)).toEqual(['one', 'two', 'three']);
  });
});

describe('encodings and normalization', () => {
  const text = 'Hello 世界。猫在垫子上睡觉。';
  test.each([
    ['utf8', Buffer.from(text, 'utf8')],
    ['utf8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])],
    ['utf16le with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf16le')])],
    ['utf16be with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf16be')])],
    ['gb18030', iconv.encode(text, 'gb18030')],
    ['gbk', iconv.encode(text, 'gbk')],
  ])('%s', async (name, bytes) => {
    const p = ws.file(`enc-${name.replaceAll(' ', '-')}.txt`, bytes);
    const r = await importCorpus({ inputs: [p], outDir: out() });
    expect(r.issues).toEqual([]);
    expect(ws.docs(r.dir!)).toEqual([{ text, source: 0 }]);
    const expected = { utf8: 'utf8', 'utf8 with BOM': 'utf8', 'utf16le with BOM': 'utf16le', 'utf16be with BOM': 'utf16be', gb18030: 'gb18030', gbk: 'gb18030' }[name];
    expect(r.manifest!.files[0].encoding).toBe(expected);
  });

  test('a GB18030 file with several lines and CSV quoting', async () => {
    const p = ws.file('zh.csv', iconv.encode('label,review\n1,"好吃，送得快"\n0,太慢了\n', 'gb18030'));
    const r = await importCorpus({ inputs: [p], outDir: out() });
    expect(ws.docs(r.dir!)).toEqual([{ text: '好吃，送得快', label: '1', source: 0 }, { text: '太慢了', label: '0', source: 0 }]);
  });

  test('a GB18030 file whose first 64 KiB (and more) are ASCII is read as GB18030, not as broken UTF-8', async () => {
    // An English preface of ~1.1 MB (past the first 64 KiB sample and past one 1 MiB scan chunk), then Chinese.
    const preface = Array.from({ length: 24_000 }, (_, i) => `Preface line ${i} of the English introduction.`).join('\n');
    const chinese = ['第一回　甄士隐梦幻识通灵，贾雨村风尘怀闺秀。', '此开卷第一回也。作者自云：因曾历过一番梦幻之后。'];
    const p = ws.file('late-gbk.txt', iconv.encode(`${preface}\n\n${chinese.join('\n\n')}\n`, 'gbk'));
    const r = await importCorpus({ inputs: [p], outDir: out() });
    expect(r.issues).toEqual([]);
    expect(r.manifest!.files[0].encoding).toBe('gb18030');
    const docs = ws.docs(r.dir!).map((d) => d.text); // the preface is longer than one document: cut at lines
    expect(docs.slice(-2)).toEqual(chinese);
    expect(docs.slice(0, -2).join('\n')).toBe(preface);
    // The same preface before UTF-8 Chinese stays UTF-8; before stray bytes, UTF-8 with the damage reported.
    const u = await importCorpus({ inputs: [ws.file('late-utf8.txt', `${preface}\n\n${chinese[0]}\n`)], outDir: out() });
    expect(u.manifest!.files[0].encoding).toBe('utf8');
    expect(ws.docs(u.dir!).map((d) => d.text).at(-1)).toBe(chinese[0]);
    const bad = await importCorpus({ inputs: [ws.file('late-damage.txt', Buffer.concat([Buffer.from(`${preface}\n\nbad `), Buffer.from([0xff]), Buffer.from(' byte\n')]))], outDir: out() });
    expect(bad.manifest!.files[0].encoding).toBe('utf8');
    expect(bad.issues.map((i) => i.code)).toEqual(['invalid-bytes']);
  });

  test('NFC: decomposed accents are composed', async () => {
    const p = ws.file('nfd.txt', 'Cafe\u0301 nai\u0308ve');
    const r = await importCorpus({ inputs: [p], outDir: out() });
    expect(ws.docs(r.dir!)[0].text).toBe('Café naïve');
  });
});

describe('dedup, statistics, manifest', () => {
  test('exact duplicates are dropped across files; the manifest counts them', async () => {
    const a = ws.file('dup/a.txt', 'same\n\nunique a\n\nsame');
    const b = ws.file('dup/b.jsonl', '{"text":"same"}\n{"text":"unique b"}\n{"text":"Same"}\n');
    const r = await importCorpus({ inputs: [a, b], outDir: out() });
    expect(ws.docs(r.dir!).map((d) => [d.text, d.source])).toEqual([['same', 0], ['unique a', 0], ['unique b', 1], ['Same', 1]]);
    expect(r.manifest!.stats.duplicatesDropped).toBe(2);
    expect(r.manifest!.files.map((f) => f.documents)).toEqual([2, 2]);
  });

  test('statistics: documents, characters, bytes, script mix, histogram, tokens', async () => {
    const p = ws.file('stats.txt', 'abc 猫狗\n\n猫在垫子上\n\nхорошо\n\nThe cat 😀');
    const tok = await trainTokenizer(['abc 猫狗 猫在垫子上 хорошо The cat 😀'], { kind: 'char', vocabSize: 100, specials: [] });
    const r = await importCorpus({ inputs: [p], outDir: out(), tokenizer: tok });
    const s = r.manifest!.stats;
    expect(s.documents).toBe(4);
    expect(s.characters).toBe(6 + 5 + 6 + 9); // 😀 is one character
    expect(s.tokens).toBe(s.characters);
    expect(s.bytes).toBe(Buffer.byteLength('abc 猫狗猫在垫子上хорошоThe cat 😀'));
    expect(s.scripts).toEqual({ han: 7, latin: 9, otherLetters: 6 });
    expect(s.documentsByScript).toEqual({ han: 1, latin: 1, mixed: 2 });
    expect(s.lengthHistogram.counts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(s.lengthHistogram.counts[s.lengthHistogram.edges.indexOf(4)]).toBe(3); // lengths 5, 6, 6 in [4, 8)
    expect(s.lengthHistogram.counts[s.lengthHistogram.edges.indexOf(8)]).toBe(1); // length 9 in [8, 16)
  });

  test('the store reads back; the content hash ignores file names and changes with content', async () => {
    const a = await importCorpus({ inputs: [ws.file('h1/x.txt', 'one\n\ntwo')], outDir: out() });
    const b = await importCorpus({ inputs: [ws.file('h2/y.txt', 'one\n\ntwo\n')], outDir: out() });
    const c = await importCorpus({ inputs: [ws.file('h3/z.txt', 'one\n\ntwo!')], outDir: out() });
    expect(a.manifest!.contentHash).toBe(b.manifest!.contentHash);
    expect(a.manifest!.contentHash).not.toBe(c.manifest!.contentHash);
    expect((await loadManifest(a.dir!)).contentHash).toBe(a.manifest!.contentHash);
    const docs = [];
    for await (const d of readDocuments(a.dir!)) docs.push(d.text);
    expect(docs).toEqual(['one', 'two']);
  });

  test('progress is reported with bytes and documents', async () => {
    const p = ws.file('prog.txt', 'a\n\nb\n\nc');
    const seen: number[] = [];
    await importCorpus({ inputs: [p], outDir: out(), onProgress: (pr) => seen.push(pr.bytesRead) });
    expect(seen.at(-1)).toBe(7);
  });
});

function readLines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n');
}
