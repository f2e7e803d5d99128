// The fuzz corpus (scripts/make-fuzz-corpus.ts, generated into a temp folder): for every file the
// outcome a person should get (documents, characters, issues by kind), checked in the engine's
// import, file by file and as one folder, and in what `npm run train -- --importOnly` prints.
// Whatever happens, nothing is lost without being counted: characters read = imported + dropped,
// and characters read is checked against the file decoded independently.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BIG_LINE_BYTES, BIG_LINE_FILE, makeFuzzCorpus } from '../../../scripts/make-fuzz-corpus';
import { importCorpus, type ImportResult } from '../../../src/engine/data';
import { readLines, codePoints, type LineEvent } from '../../../src/engine/data/lines';
import { FileAccount, type DropReason, type FileReport } from '../../../src/engine/data/import-report';
import type { CorpusIssueCode } from '../../../src/engine/data/issues';
import type { Encoding } from '../../../src/engine/data/detect';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'fuzz-import-'));
const dir = join(root, 'corpus');
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => { await makeFuzzCorpus(dir); }, 60_000);

interface Expected {
  /** The documents' texts, in order (for the 50 MB line: checked separately). */
  docs: string[];
  encoding: Encoding | null;
  /** False: the file was skipped as a whole. */
  imported: boolean;
  issues: Partial<Record<CorpusIssueCode, number>>;
  /** Characters dropped, where the reason is the point of the case. */
  dropped?: Partial<Record<DropReason, number>>;
  /** The first issue's line and byte offset. */
  at?: { line?: number; offset?: number };
}

const mixed = (w: string) => [`The Story of the Stone, ${w} copy.`, `红楼梦，又名石头记（${w}）。`, `A third paragraph of the ${w} copy, in English again.`];

const CASES: Record<string, Expected> = {
  'binary.txt': { docs: [], encoding: null, imported: false, issues: { binary: 1 } },
  'empty.txt': { docs: [], encoding: null, imported: false, issues: { 'empty-file': 1 } },
  'whitespace-only.txt': { docs: [], encoding: 'utf8', imported: true, issues: { 'empty-file': 1 }, dropped: { blank: 5, 'line-breaks': 5 } },
  'invalid-utf8-middle.txt': {
    docs: ['First paragraph is fine.', 'The second has a bad byte \uFFFD in it.', 'The third is fine.'], encoding: 'utf8', imported: true,
    issues: { 'invalid-bytes': 1 }, at: { line: 3, offset: 'First paragraph is fine.\n\nThe second has a bad byte '.length },
  },
  'utf8-truncated-end.txt': {
    docs: ['A complete first paragraph.', '末尾被截断\uFFFD'], encoding: 'utf8', imported: true,
    issues: { 'invalid-bytes': 1 }, at: { line: 3, offset: Buffer.byteLength('A complete first paragraph.\n\n末尾被截断') },
  },
  'gbk.txt': { docs: ['第一回　甄士隐梦幻识通灵。', '此开卷第一回也。作者自云：因曾历过一番梦幻之后。'], encoding: 'gb18030', imported: true, issues: {} },
  'utf16le-bom.txt': { docs: mixed('two'), encoding: 'utf16le', imported: true, issues: {} },
  'utf16le-no-bom.txt': { docs: mixed('three'), encoding: 'utf16le', imported: true, issues: {} },
  'utf16be-bom.txt': { docs: mixed('four'), encoding: 'utf16be', imported: true, issues: {} },
  'utf16be-no-bom.txt': { docs: mixed('five'), encoding: 'utf16be', imported: true, issues: {} },
  'utf16le-no-bom-chinese.txt': { docs: ['满纸荒唐言，一把辛酸泪。', '都云作者痴，谁解其中味？'], encoding: 'utf16le', imported: true, issues: {} },
  'utf16le-damaged.txt': {
    docs: ['Good line.', 'A bell here.\n\uFFFDafter'], encoding: 'utf16le', imported: true, issues: { 'control-characters': 1, 'invalid-bytes': 1 },
    dropped: { 'control-characters': 1 }, at: { line: 3, offset: 2 + 2 * 'Good line.\n\nA bell'.length },
  },
  'utf16le-odd-length.txt': { docs: ['Odd length file.\n\uFFFD'], encoding: 'utf16le', imported: true, issues: { 'invalid-bytes': 1 }, at: { line: 2, offset: 2 + 2 * 'Odd length file.\n'.length } },
  'crlf.txt': { docs: ['CRLF paragraph, line one\nline two', 'CRLF second paragraph'], encoding: 'utf8', imported: true, issues: {}, dropped: { 'line-breaks': 7 } },
  'lone-cr.txt': { docs: ['Old Mac line one\nOld Mac line two', 'Old Mac second paragraph'], encoding: 'utf8', imported: true, issues: {}, dropped: { 'line-breaks': 3 } },
  'nul-inside.txt': {
    docs: ['Text with a NUL inside.', 'Another NUL-free paragraph.'], encoding: 'utf8', imported: true,
    issues: { 'control-characters': 1 }, dropped: { 'control-characters': 1 }, at: { line: 1, offset: 15 },
  },
  'controls-zero-width.txt': {
    docs: ['Bell and escape[0m, DEL, C1 and a stray BOM; zero\u200bwidth space and joiner \u200d kept.'], encoding: 'utf8', imported: true,
    issues: { 'control-characters': 1 }, dropped: { 'control-characters': 5 }, at: { line: 1, offset: 4 },
  },
  'csv-unclosed-quote.csv': {
    docs: ['fine row'], encoding: 'utf8', imported: true, issues: { 'bad-row': 1 },
    dropped: { 'unclosed-quote': '"this quote is never closed,0\nmore text\n'.length }, at: { line: 3 },
  },
  'csv-ragged.csv': { docs: ['ok row', 'extra row', 'quoted, with a comma'], encoding: 'utf8', imported: true, issues: { 'bad-row': 1, 'extra-fields': 1 }, dropped: { 'bad-row': 5 }, at: { line: 3 } },
  'jsonl-broken.jsonl': { docs: ['good line one', 'good line two'], encoding: 'utf8', imported: true, issues: { 'bad-json': 2, 'missing-field': 3 }, at: { line: 2, offset: 26 } },
  'csv-wrong-column.csv': { docs: [], encoding: 'utf8', imported: false, issues: { 'missing-column': 1 }, at: { line: 1 } },
  'jsonl-no-text-field.jsonl': { docs: [], encoding: 'utf8', imported: true, issues: { 'missing-field': 2 }, dropped: { 'missing-field': 32 } },
  [BIG_LINE_FILE]: { docs: [], encoding: 'utf8', imported: true, issues: { 'line-split': 1 }, dropped: {} },
};

// Text lines are cut at the document limit (maxDocumentChars, 1,000,000 by default), which is
// smaller than the 8 MiB line limit.
const LIMIT = 1_000_000;
const sum = (o: Partial<Record<string, number>>) => Object.values(o).reduce((s: number, n) => s + (n ?? 0), 0);

/** Characters in the file decoded without the importer (BOM not counted). */
function decodedChars(path: string, encoding: Encoding): number {
  const bytes = readFileSync(path);
  const text = encoding === 'gb18030' ? iconv.decode(bytes, 'gb18030') : new TextDecoder(encoding === 'utf8' ? 'utf-8' : encoding === 'utf16le' ? 'utf-16le' : 'utf-16be').decode(bytes);
  return codePoints(text);
}

// Parsed once per corpus: the folder's holds the 50 MB line.
const parsed = new Map<string, { text: string; source: number }[]>();
function docsOf(r: ImportResult, fileIndex: number): string[] {
  if (!r.dir) return [];
  if (!parsed.has(r.dir)) parsed.set(r.dir, readFileSync(join(r.dir, 'documents.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { text: string; source: number }));
  return parsed.get(r.dir)!.filter((d) => d.source === fileIndex).map((d) => d.text);
}

/** The checks every file gets, from the report of whichever import read it. */
function checkFile(name: string, f: FileReport, r: ImportResult, fileIndex: number): void {
  const want = CASES[name];
  const label = `${name}: ${JSON.stringify(f)}`;
  expect(f.imported, label).toBe(want.imported);
  expect(f.encoding, label).toBe(want.encoding);
  expect(f.issues, label).toEqual(want.issues);
  // The accounting adds up, and what was read is what the file holds.
  expect(f.charactersRead, label).toBe(f.charactersImported + sum(f.charactersDropped));
  if (want.imported && want.encoding) expect(f.charactersRead, label).toBe(decodedChars(join(dir, name), want.encoding));
  for (const [reason, n] of Object.entries(want.dropped ?? {})) expect(f.charactersDropped[reason as DropReason], `${label} ${reason}`).toBe(n);
  if (name === BIG_LINE_FILE) {
    expect(f.charactersImported).toBe(BIG_LINE_BYTES);
    expect(f.documents).toBe(f.split.pieces);
    return;
  }
  const docs = docsOf(r, fileIndex);
  expect(docs, label).toEqual(want.docs);
  expect(f.documents).toBe(want.docs.length);
  expect(f.charactersImported, label).toBe(want.docs.reduce((s, d) => s + codePoints(d), 0));
  const first = r.report.list.find((i) => i.file === join(dir, name));
  if (want.at) expect({ line: first?.line, offset: first?.offset }, label).toEqual(expect.objectContaining(want.at));
}

describe('fuzz corpus, file by file', () => {
  for (const name of Object.keys(CASES).filter((n) => n !== BIG_LINE_FILE)) {
    test(name, async () => {
      const r = await importCorpus({ inputs: [join(dir, name)], outDir: join(root, 'out', name) });
      expect(r.report.files).toHaveLength(1);
      checkFile(name, r.report.files[0], r, 0);
      // Skipped or empty: the import fails, says so, and still leaves its report.
      if (CASES[name].docs.length === 0) {
        expect(r.dir).toBeNull();
        expect(r.issues.at(-1)!.code).toBe('no-documents');
      }
      expect(JSON.parse(readFileSync(r.reportPath, 'utf8'))).toEqual(JSON.parse(JSON.stringify(r.report)));
    });
  }
});

describe('fuzz corpus with dedup memory for 2 documents (the rest deferred to disk, dedup.ts)', () => {
  const TINY_MB = 0.0001;
  const names = Object.keys(CASES).filter((n) => n !== BIG_LINE_FILE);
  const blank = (r: ImportResult) => JSON.stringify({ ...r.report, createdAt: '' });

  test('every file has its outcome, and the report is the unbounded import\'s', async () => {
    const inputs = names.map((n) => join(dir, n));
    const r = await importCorpus({ inputs, outDir: join(root, 'out', 'tiny-dedup'), dedupMemoryMB: TINY_MB });
    r.report.files.forEach((f, i) => checkFile(names[i], f, r, i));
    const unbounded = await importCorpus({ inputs, outDir: join(root, 'out', 'tiny-dedup-ref') });
    expect(blank(r)).toBe(blank(unbounded));
    expect(readFileSync(join(r.dir!, 'documents.jsonl'), 'utf8')).toBe(readFileSync(join(unbounded.dir!, 'documents.jsonl'), 'utf8'));
  });

  test('every file read twice: the second copy is all duplicates, and read = imported + dropped still holds', async () => {
    const inputs = [...names, ...names].map((n) => join(dir, n));
    const r = await importCorpus({ inputs, outDir: join(root, 'out', 'tiny-dedup-twice'), dedupMemoryMB: TINY_MB });
    const unbounded = await importCorpus({ inputs, outDir: join(root, 'out', 'tiny-dedup-twice-ref') });
    expect(blank(r)).toBe(blank(unbounded));
    r.report.files.forEach((f, i) => {
      expect(f.charactersRead, f.path).toBe(f.charactersImported + sum(f.charactersDropped));
      if (i < names.length) return;
      expect(f.documents, f.path).toBe(0);
      expect(f.charactersDropped.duplicate ?? 0, f.path).toBe(r.report.files[i - names.length].charactersImported);
    });
  });
});

describe('the whole folder, through the CLI (--importOnly)', () => {
  // One import of everything (the 50 MB line too), by the CLI as a person runs it; the engine's
  // report and documents it leaves in the cache are then checked file by file like the rest.
  let out = '';
  let report: ImportResult['report'];
  let r: ImportResult;
  let seconds = 0;
  beforeAll(() => {
    const t0 = performance.now();
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--import', './scripts/register-wgsl.mjs', 'src/cli/train.ts', '--corpus', dir, '--runsDir', join(root, 'runs'), '--importOnly'], { cwd: ROOT, encoding: 'utf8' });
    seconds = (performance.now() - t0) / 1000;
    expect(res.status, res.stderr).toBe(0);
    out = res.stdout;
    const reportPath = /full report: (.*)/.exec(out)![1];
    report = JSON.parse(readFileSync(reportPath, 'utf8')) as ImportResult['report'];
    r = { dir: dirname(reportPath), manifest: null, issues: report.list, report, reportPath };
  }, 60_000);

  test('every file has the outcome it has alone; the unsupported file is named', () => {
    expect(report.files.map((f) => f.path.slice(dir.length + 1)).sort()).toEqual(Object.keys(CASES).sort());
    report.files.forEach((f, i) => checkFile(f.path.slice(dir.length + 1), f, r, i));
    expect(report.issues).toEqual([expect.objectContaining({ file: join(dir, 'nested', 'readme.pdf'), code: 'unsupported-type', severity: 'warning' })]);
  });

  test('the CLI prints every file with its numbers, what it dropped and its issue counts', () => {
    const n = (x: number) => x.toLocaleString('en-US');
    for (const f of report.files) {
      const line = out.split('\n').find((l) => l.startsWith(`[import]   ${f.path} (`));
      expect(line, `${f.path} in\n${out}`).toBeDefined();
      if (f.imported) expect(line).toContain(`${n(f.documents)} document${f.documents === 1 ? '' : 's'}, ${n(f.charactersImported)} of ${n(f.charactersRead)} character`);
      else expect(line).toContain(': skipped');
      for (const [code, count] of Object.entries(f.issues)) expect(line).toContain(`${code} ×${count}`);
      for (const [reason, count] of Object.entries(f.charactersDropped)) expect(line).toContain(`${reason} ${n(count!)}`);
    }
    // A file's first issues, with line and byte offset, and the unsupported file.
    expect(out).toContain(`warning [bad-json] ${join(dir, 'jsonl-broken.jsonl')}, line 2, byte 26: not JSON`);
    expect(out).toContain(`warning [unsupported-type] ${join(dir, 'nested', 'readme.pdf')}`);
    // UTF-16: byte offsets in the file, though the importer reads it transcoded.
    const damaged = join(dir, 'utf16le-damaged.txt');
    expect(out).toContain(`warning [invalid-bytes] ${damaged}, line 4, byte ${2 + 2 * 'Good line.\n\nA bell\u0007 here.\n'.length}: 1 character not valid UTF-16LE replaced by U+FFFD`);
  });

  test('the 50 MB line: split streaming into documents of at most 1 MB at sentence ends, every byte kept', async () => {
    const f = report.files.find((x) => x.path.endsWith(BIG_LINE_FILE))!;
    const docs = docsOf(r, report.files.indexOf(f));
    expect(docs.length).toBe(f.split.pieces);
    expect(docs.length).toBeGreaterThanOrEqual(Math.ceil(BIG_LINE_BYTES / LIMIT));
    expect(docs.length).toBeLessThanOrEqual(2 * Math.ceil(BIG_LINE_BYTES / LIMIT));
    for (const d of docs.slice(0, -1)) {
      expect(Buffer.byteLength(d)).toBeLessThanOrEqual(LIMIT);
      expect(d.endsWith('on. ')).toBe(true);
    }
    const fileHash = createHash('sha256');
    for await (const c of createReadStream(f.path)) fileHash.update(c as Buffer);
    expect(createHash('sha256').update(docs.join('')).digest('hex')).toBe(fileHash.digest('hex'));
    const issue = report.list.find((i) => i.code === 'line-split')!;
    expect(issue.message).toMatch(new RegExp(`line of ${BIG_LINE_BYTES} bytes is longer than the limit of ${LIMIT} bytes; split into ${docs.length} documents \\(${docs.length - 1} cut at sentence ends`));
    expect(out).toContain(`1 long line split into ${docs.length} documents`);
    // Linear work: a quadratic split of 50 MB would take minutes, not seconds.
    expect(seconds).toBeLessThan(45);
  });
});

describe('CLI: cached imports and --strict', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', '--import', './scripts/register-wgsl.mjs', 'src/cli/train.ts', ...args], { cwd: ROOT, encoding: 'utf8' });

  test('a cached import repeats its summary; --strict refuses its warnings', () => {
    const runsDir = join(root, 'runs-cache');
    const file = join(dir, 'jsonl-broken.jsonl');
    const first = cli(['--corpus', file, '--runsDir', runsDir, '--importOnly']);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/\[import\] imported: 1 file, 2 documents/);
    const second = cli(['--corpus', file, '--runsDir', runsDir, '--importOnly']);
    expect(second.stdout).toMatch(/\[import\] imported earlier \(cached\): 1 file, 2 documents/);
    const issueLines = (s: string) => s.split('\n').filter((l) => /warning \[/.test(l));
    expect(issueLines(second.stdout)).toEqual(issueLines(first.stdout));
    expect(issueLines(second.stdout).length).toBe(3);
    const strict = cli(['--corpus', file, '--runsDir', runsDir, '--importOnly', '--strict']);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toMatch(/--strict: the import of .*jsonl-broken\.jsonl had 5 issues/);
    expect(strict.stderr).toContain(`warning [bad-json] ${file}, line 2, byte 26`);
    const clean = cli(['--corpus', join(dir, 'gbk.txt'), '--runsDir', runsDir, '--importOnly', '--strict']);
    expect(clean.status, clean.stderr).toBe(0);
  }, 60_000);

  test('nothing importable: the reason is printed, with the report path', () => {
    const res = cli(['--corpus', join(dir, 'binary.txt'), '--runsDir', join(root, 'runs-none'), '--importOnly']);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/Nothing could be imported/);
    expect(res.stderr).toMatch(/error \[binary\] .*binary\.txt, line \d+, byte \d+: NUL byte/);
    expect(res.stderr).toMatch(/full report: .*import-report\.json/);
  }, 60_000);
});

const NOVEL = join(ROOT, '../shared/datasets/hongloumeng.txt');
const noNovel = !existsSync(NOVEL);
if (noNovel) console.warn(`SKIPPED the one-line novel test: ${NOVEL} is missing (reference data lives in ../shared/datasets/)`);

describe('long lines', () => {
  test.skipIf(noNovel)('a whole novel on one line (Hong Lou Meng) imports, cut at Chinese sentence ends', async () => {
    const novel = readFileSync(NOVEL, 'utf8');
    const line = novel.replace(/\r?\n/g, '');
    const path = join(root, 'hongloumeng-one-line.txt');
    writeFileSync(path, line);
    const limit = 64 * 1024;
    const r = await importCorpus({ inputs: [path], outDir: join(root, 'out', 'hlm'), maxLineBytes: limit, dedup: false });
    const f = r.report.files[0];
    const docs = docsOf(r, 0);
    expect(docs.length).toBe(f.split.pieces);
    expect(docs.length).toBeGreaterThan(Buffer.byteLength(line) / limit);
    expect(docs.join('')).toBe(line.normalize('NFC'));
    expect(f.charactersRead).toBe(f.charactersImported + sum(f.charactersDropped));
    expect(f.charactersRead).toBe(codePoints(line));
    for (const d of docs.slice(0, -1)) {
      expect(Buffer.byteLength(d)).toBeLessThanOrEqual(limit);
      expect(d).toMatch(/[。！？；…．][”」』）’]*$/u);
    }
    expect(r.issues.map((i) => i.code)).toEqual(['line-split']);
  }, 60_000);

  test('no sentence end, no space: cut between characters, never inside one (4-byte emoji, CJK)', async () => {
    const text = '😀漢'.repeat(1000); // 7 bytes per pair: a 64-byte limit falls inside characters
    const path = join(root, 'no-breaks.txt');
    writeFileSync(path, text);
    const r = await importCorpus({ inputs: [path], outDir: join(root, 'out', 'nobreak'), maxLineBytes: 64, dedup: false });
    const docs = docsOf(r, 0);
    expect(docs.join('')).toBe(text);
    for (const d of docs) {
      expect(d).not.toMatch(/\uFFFD|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
      expect(Buffer.byteLength(d)).toBeLessThanOrEqual(64);
    }
    expect(r.issues[0].message).toMatch(/0 cut at sentence ends, 0 at spaces, \d+ inside text/);
  });

  test('falls back to spaces when no sentence ends in the second half of the window', async () => {
    const text = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const path = join(root, 'words.txt');
    writeFileSync(path, text);
    const r = await importCorpus({ inputs: [path], outDir: join(root, 'out', 'words'), maxLineBytes: 100 });
    const docs = docsOf(r, 0);
    expect(docs.join('')).toBe(text);
    for (const d of docs.slice(0, -1)) expect(d.endsWith(' ')).toBe(true);
  });
});

test('line breaks split across read chunks: CRLF, lone CR and LF give the same lines at any chunk size', async () => {
  const path = join(root, 'breaks.txt');
  writeFileSync(path, 'a\r\nbb\rccc\n\r\n\rdddd\r');
  const lines = async (chunkBytes: number) => {
    const acct = new FileAccount();
    const got: Extract<LineEvent, { kind: 'line' }>[] = [];
    for await (const batch of readLines(path, { encoding: 'utf8', bomLength: 0, maxLineBytes: 1 << 20, chunkBytes, account: acct })) {
      for (const e of batch) if (e.kind === 'line') got.push(e);
    }
    // Line breaks are all accounted by the caller, except a '\n' whose '\r' ended the previous chunk.
    return { texts: got.map((e) => [e.text, e.line]), read: acct.charsRead, breaks: got.reduce((s, e) => s + e.eol, 0) + (acct.dropped['line-breaks'] ?? 0) };
  };
  const whole = await lines(1 << 20);
  expect(whole.texts).toEqual([['a', 1], ['bb', 2], ['ccc', 3], ['', 4], ['', 5], ['dddd', 6]]);
  expect(whole.read).toBe('a\r\nbb\rccc\n\r\n\rdddd\r'.length);
  for (const size of [1, 2, 3, 4, 5]) expect(await lines(size)).toEqual(whole);
});

test("textDocuments 'file': a split line's pieces and the lines around it still concatenate to the file", async () => {
  const text = `before\n${'One sentence here. '.repeat(40)}\nafter\n`;
  const path = join(root, 'file-mode.txt');
  writeFileSync(path, text);
  const r = await importCorpus({ inputs: [path], outDir: join(root, 'out', 'file-mode'), textDocuments: 'file', maxLineBytes: 100, dedup: false });
  const docs = docsOf(r, 0);
  expect(docs.length).toBeGreaterThan(3);
  expect(docs.join('')).toBe(text);
  const f = r.report.files[0];
  expect(f.charactersRead).toBe(f.charactersImported + sum(f.charactersDropped));
  expect(f.charactersDropped).toEqual({});
});
