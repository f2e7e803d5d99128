// Bad input: each case names the file and the line/byte offset, the rest of the import goes on,
// and nothing half-written is left behind.
import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { afterAll, expect, test } from 'vitest';
import { importCorpus, formatIssue } from '../../../src/engine/data';
import { Workspace } from './helpers';

const ws = new Workspace();
afterAll(() => ws.dispose());
let n = 0;
const out = () => ws.path(`out/corpus-${n++}`);
const good = ws.file('good.txt', 'a good paragraph\n\nanother one');

test('binary file (NUL bytes): error with the offset, other files still imported', async () => {
  const bin = ws.file('image.txt', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]));
  const r = await importCorpus({ inputs: [bin, good], outDir: out() });
  expect(r.issues).toEqual([expect.objectContaining({ file: bin, code: 'binary', severity: 'error', offset: 8, line: 3 })]);
  expect(r.manifest!.stats.documents).toBe(2);
  expect(r.manifest!.files[0].imported).toBe(false);
  expect(formatIssue(r.issues[0])).toMatch(/image\.txt, line 3, byte 8: NUL byte/);
});

test('binary file (mostly control bytes, no NUL)', async () => {
  const bin = ws.file('ctl.txt', Buffer.from(Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 0x01 : 0x41))));
  const r = await importCorpus({ inputs: [bin, good], outDir: out() });
  expect(r.issues.map((i) => [i.code, i.offset])).toEqual([['binary', 0]]);
});

test('empty file and whitespace-only file', async () => {
  const empty = ws.file('empty.txt', '');
  const blank = ws.file('blank.md', '\n   \n\t\n');
  const r = await importCorpus({ inputs: [empty, blank, good], outDir: out() });
  expect(r.issues.map((i) => [i.file, i.code])).toEqual([[empty, 'empty-file'], [blank, 'empty-file']]);
  expect(r.manifest!.stats.documents).toBe(2);
});

test('undecodable bytes (not UTF-8, not GB18030): error with the byte offset and line', async () => {
  const latin1 = ws.file('latin1.txt', Buffer.concat([Buffer.from('first line\nna'), Buffer.from([0xef, 0x76, 0x65]), Buffer.from(' caf\xe9', 'latin1')]));
  const r = await importCorpus({ inputs: [latin1, good], outDir: out() });
  expect(r.issues).toEqual([expect.objectContaining({ file: latin1, code: 'undecodable', offset: 13, line: 2 })]);
  expect(r.issues[0].message).toMatch(/invalid UTF-8 at byte 13/);
});

test('invalid bytes late in a UTF-8 file: that line is reported, bytes replaced, the file kept', async () => {
  const body = 'ok line\n'.repeat(20000); // past the 64 KiB detection sample
  const p = ws.file('late.txt', Buffer.concat([Buffer.from(body), Buffer.from('bad '), Buffer.from([0xff]), Buffer.from(' byte\n')]));
  const r = await importCorpus({ inputs: [p], outDir: out() });
  expect(r.issues).toEqual([expect.objectContaining({ code: 'invalid-bytes', line: 20001, offset: body.length + 4, severity: 'warning' })]);
  expect(ws.docs(r.dir!)[0].text.endsWith('bad \uFFFD byte')).toBe(true);
});

test('CSV without the requested column: error naming the columns; other files go on', async () => {
  const csv = ws.file('nocol.csv', 'id,comment\n1,hello\n');
  const r = await importCorpus({ inputs: [csv, good], outDir: out(), textColumn: 'body' });
  expect(r.issues).toEqual([expect.objectContaining({ file: csv, line: 1, code: 'missing-column' })]);
  expect(r.issues[0].message).toMatch(/no column "body" in the header \(columns: id, comment\)/);
  const r2 = await importCorpus({ inputs: [csv], outDir: out(), textColumn: 'comment', labelColumn: 'stars' });
  expect(r2.issues[0]).toEqual(expect.objectContaining({ code: 'missing-column', message: expect.stringMatching(/label column "stars"/) }));
});

test('CSV row with too few fields and an unclosed quote', async () => {
  const csv = ws.file('rows.csv', 'text,label\nfine,1\nshort\nstill fine,0\n"never closed,1\nmore\n');
  const r = await importCorpus({ inputs: [csv], outDir: out() });
  expect(ws.docs(r.dir!).map((d) => d.text)).toEqual(['fine', 'still fine']);
  expect(r.issues.map((i) => [i.code, i.line, i.severity])).toEqual([['bad-row', 3, 'warning'], ['bad-row', 5, 'error']]);
  expect(r.issues[1].message).toMatch(/never closed/);
});

test('JSONL line that is not JSON: that line skipped with its number and offset', async () => {
  const p = ws.file('bad.jsonl', '{"text":"one"}\n{"text": oops}\n{"text":"three"}\n');
  const r = await importCorpus({ inputs: [p], outDir: out() });
  expect(ws.docs(r.dir!).map((d) => d.text)).toEqual(['one', 'three']);
  expect(r.issues).toEqual([expect.objectContaining({ code: 'bad-json', line: 2, offset: 15, severity: 'warning' })]);
});

test('a 100 MB single line is skipped while streaming (bounded memory), with the limit named', async () => {
  const p = ws.path('huge.jsonl');
  const stream = createWriteStream(p);
  stream.write('{"text":"before"}\n{"text":"');
  const block = 'x'.repeat(1 << 20);
  for (let i = 0; i < 100; i++) if (!stream.write(block)) await once(stream, 'drain');
  stream.end('"}\n{"text":"after"}\n');
  await once(stream, 'finish');
  const rssBefore = process.memoryUsage.rss();
  let peak = rssBefore;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 10);
  const r = await importCorpus({ inputs: [p], outDir: out() });
  clearInterval(timer);
  expect(ws.docs(r.dir!).map((d) => d.text)).toEqual(['before', 'after']);
  expect(r.issues).toEqual([expect.objectContaining({ code: 'line-too-long', line: 2, offset: 18 })]);
  expect(r.issues[0].message).toMatch(/longer than the limit of 8388608 bytes/);
  expect((peak - rssBefore) / 1e6).toBeLessThan(100);
  // Skipped, but counted to the character (never decoded into one string), and the books balance.
  const f = r.report.files[0];
  expect(f.charactersDropped['line-too-long']).toBe('{"text":"'.length + 100 * (1 << 20) + '"}'.length);
  expect(f.charactersRead).toBe(f.charactersImported + Object.values(f.charactersDropped).reduce((s, n) => s + n!, 0));
}, 60_000);

test('nothing importable: no corpus directory is created, and no temp folder is left', async () => {
  const empty = ws.file('only-empty.txt', '');
  const target = out();
  const r = await importCorpus({ inputs: [empty, ws.path('missing.txt'), ws.file('x.pdf', 'pdf')], outDir: target });
  expect(r.dir).toBeNull();
  expect(r.issues.map((i) => i.code)).toEqual(['not-found', 'unsupported-type', 'empty-file', 'no-documents']);
  expect(existsSync(target)).toBe(false);
  expect(ws.list('out').filter((f) => f.startsWith('.'))).toEqual([]);
});

test('an aborted import leaves the previous corpus intact and no temp folder', async () => {
  const target = out();
  const first = await importCorpus({ inputs: [good], outDir: target });
  const big = ws.file('big.txt', 'paragraph\n\n'.repeat(300000));
  const ac = new AbortController();
  const p = importCorpus({ inputs: [big], outDir: target, signal: ac.signal, onProgress: (pr) => { if (pr.bytesRead > 1 << 20) ac.abort(); } });
  await expect(p).rejects.toThrow();
  expect(ws.docs(target).map((d) => d.text)).toEqual(ws.docs(first.dir!).map((d) => d.text));
  expect(ws.list('out').filter((f) => f.startsWith('.'))).toEqual([]);
});
