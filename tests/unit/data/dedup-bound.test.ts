// Deduplication in bounded memory (dedup.ts): with an in-memory set of a few hundred documents the
// import defers the rest to disk, and the corpus folder must be the one an unbounded set gives,
// byte for byte (documents, manifest and report but their creation times), with duplicates
// inside and across files, before and after the set is full.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { importCorpus, type ImportProgress } from '../../../src/engine/data';
import { BoundedDedup, dedupSetCapacity } from '../../../src/engine/data/dedup';
import { hash64 } from '../../../src/engine/data/hash64';
import { importCorpusOffThread } from '../../../src/engine/data/import-workers';
import { mulberry32 } from '../../../src/engine/data/rng';
import { Workspace } from './helpers';

const ws = new Workspace();
afterAll(() => ws.dispose());

const TINY_MB = 0.01;
const HELD = dedupSetCapacity(TINY_MB).documents;
const UNBOUNDED_MB = 1024;

/** Paragraph texts, many repeated: drawn from earlier ones (the set's or the deferred ones) or new. */
function corpus(): { files: Record<string, string>; emitted: string[] } {
  const rng = mulberry32(7);
  let next = 0;
  const made: string[] = [];
  /** Every document's text as the importer should see it (NFC, '\n'), in reading order. */
  const emitted: string[] = [];
  const para = (repeatShare: number, pool?: [number, number]) => {
    if (made.length > 0 && rng.next() < repeatShare) {
      const [lo, hi] = pool ?? [0, made.length];
      const t = made[lo + rng.int(Math.min(hi, made.length) - lo)];
      emitted.push(t);
      return t;
    }
    const id = next++;
    // Some in decomposed form (NFC makes them equal to others), some in Chinese.
    const t = id % 7 === 0 ? `第${id}段：满纸荒唐言，一把辛酸泪。` : id % 5 === 0 ? `Cafe\u0301 number ${id}\nsecond line` : `Paragraph ${id} with words ${id * 31 % 97}.`;
    made.push(t.normalize('NFC'));
    emitted.push(t.normalize('NFC'));
    return t;
  };
  const paras = (n: number, share: number, pool?: [number, number]) => Array.from({ length: n }, () => para(share, pool));
  const files: Record<string, string> = {};
  // a: crosses the set's capacity, with repeats before and after it.
  files['a.txt'] = paras(HELD + 150, 0.25).join('\n\n') + '\n';
  // b: past the set: repeats of a's first documents (caught at once) and of deferred ones.
  files['b.txt'] = paras(1500, 0.4).join('\r\n\r\n') + '\r\n';
  const deferredPool: [number, number] = [HELD + 10, made.length];
  // c: labeled rows, repeats across files (text only counts).
  files['c.jsonl'] = paras(300, 0.5).map((t, i) => JSON.stringify({ text: t, label: `L${i % 3}` })).join('\n') + '\n';
  // d: only repeats of deferred documents: it stays an empty file.
  files['d.txt'] = paras(40, 1, deferredPool).join('\n\n') + '\n';
  // e: only new documents, all deferred: not empty after all.
  files['e.txt'] = paras(30, 0).join('\n\n') + '\n';
  // f: a deferred repeat first, then NFD text: the report keeps the order reasons were met in.
  const bell = next++;
  emitted.push(made[HELD + 20], `A bell rings ${bell}.`);
  files['f.txt'] = `${made[HELD + 20]}\n\nA bell\u0007 rings ${bell}.\n\n${paras(20, 0.5).join('\n\n')}\n`;
  files['g.csv'] = 'text,label\n' + paras(200, 0.5).map((t) => `"${t.replace(/"/g, '""')}",x`).join('\n') + '\n';
  return { files, emitted };
}

const { files, emitted } = corpus();
const inputs = Object.entries(files).map(([name, text]) => ws.file(join('in', name), text));

/** The folder's files as they are, creation times blanked. */
function folder(dir: string): Record<string, string> {
  const read = (f: string) => readFileSync(join(dir, f), 'utf8').replace(/"createdAt": ?"[^"]*"/g, '"createdAt":""');
  return { documents: read('documents.jsonl'), manifest: read('manifest.json'), report: read('import-report.json') };
}

describe('BoundedDedup alone', () => {
  test('sorts spilled in runs of 10 records and merged in passes: every repeat found, first occurrences kept, in order', async () => {
    const dir = ws.path('alone');
    mkdirSync(dir);
    const d = new BoundedDedup({ dir, memoryMB: 0.0001, sortChunkBytes: 120 });
    const rng = mulberry32(3);
    const texts = Array.from({ length: 6000 }, (_, i) => `doc ${rng.next() < 0.3 ? rng.int(i + 1) : i}`);
    const seen = new Set<string>();
    const want: { text: string; duplicate: boolean }[] = [];
    for (const text of texts) {
      const [h1, h2] = hash64(text);
      const verdict = d.check(h1, h2);
      const duplicate = seen.has(text);
      seen.add(text);
      if (verdict === 'defer') { await d.defer(h1, h2, { text, source: 0 }); want.push({ text, duplicate }); } else expect(verdict).toBe(duplicate ? 'drop' : 'keep');
    }
    expect(want.length).toBeGreaterThan(5900);
    expect(want.filter((w) => w.duplicate).length).toBeGreaterThan(1000);
    const got: { text: string; duplicate: boolean }[] = [];
    for await (const r of d.resolve()) got.push({ text: r.doc.text, duplicate: r.duplicate });
    expect(got).toEqual(want);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('bounded dedup', () => {
  test(`a set of ${HELD} documents gives the corpus folder of an unbounded one, byte for byte`, async () => {
    expect(HELD).toBe(256);
    // The default, as the README states it: 2,097,152 documents, 54 MiB while the set last doubles.
    expect(dedupSetCapacity(64)).toEqual({ documents: 2_097_152, bytes: 54 * 2 ** 20 });
    const progress: ImportProgress[] = [];
    const bounded = await importCorpus({ inputs, outDir: ws.path('bounded'), dedupMemoryMB: TINY_MB, onProgress: (p) => progress.push(p) });
    const unbounded = await importCorpus({ inputs, outDir: ws.path('unbounded'), dedupMemoryMB: UNBOUNDED_MB });
    // It did spill: most documents were deferred and resolved after reading, with progress.
    const steps = progress.filter((p) => p.dedup);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.at(-1)!.dedup!.done).toBe(steps.at(-1)!.dedup!.total);
    expect(steps.at(-1)!.dedup!.total).toBeGreaterThan(2 * 1500);
    expect(steps.every((p) => p.bytesRead === p.totalBytes)).toBe(true);

    const [b, u] = [folder(bounded.dir!), folder(unbounded.dir!)];
    expect(b.documents).toBe(u.documents);
    expect(b.manifest).toBe(u.manifest);
    expect(b.report).toBe(u.report);
    expect(readdirSync(bounded.dir!).sort()).toEqual(['documents.jsonl', 'import-report.json', 'manifest.json']);

    // The cases meant: repeats dropped in each file, d empty, e imported, f's reasons in reading order.
    const report = bounded.report;
    const file = (name: string) => report.files.find((f) => f.path.endsWith(name))!;
    for (const name of ['a.txt', 'b.txt', 'c.jsonl', 'd.txt', 'g.csv']) expect(file(name).charactersDropped.duplicate, name).toBeGreaterThan(0);
    expect(file('d.txt')).toMatchObject({ documents: 0, imported: true, issues: { 'empty-file': 1 } });
    expect(file('e.txt')).toMatchObject({ documents: 30, imported: true, issues: {} });
    // Control characters and line breaks are counted as lines are read; the deferred repeat comes
    // before the first decomposed paragraph.
    expect(Object.keys(file('f.txt').charactersDropped)).toEqual(['control-characters', 'line-breaks', 'duplicate', 'normalization']);
    for (const f of report.files) expect(f.charactersRead, f.path).toBe(f.charactersImported + Object.values(f.charactersDropped).reduce((s, n) => s + n!, 0));
  }, 60_000);

  test('no duplicate survives spill mode, and no distinct document is lost', async () => {
    const r = await importCorpus({ inputs, outDir: ws.path('check'), dedupMemoryMB: TINY_MB });
    const texts = ws.docs(r.dir!).map((d) => d.text);
    // The distinct texts as the corpus was generated, in first-seen order: counted without the importer.
    const distinct = [...new Set(emitted)];
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts).toEqual(distinct);
    expect(texts.length).toBeLessThan(emitted.length - 500);
    expect(r.manifest!.stats.duplicatesDropped).toBeGreaterThan(500);
  }, 60_000);

  test('on a worker thread (the host and CLI): the same folder, and the dedup passes report progress', async () => {
    const progress: ImportProgress[] = [];
    const worker = await importCorpusOffThread({ inputs, outDir: ws.path('worker'), dedupMemoryMB: TINY_MB, onProgress: (p) => progress.push(p) }, { worker: true });
    const here = await importCorpus({ inputs, outDir: ws.path('here'), dedupMemoryMB: TINY_MB });
    expect(folder(worker.dir!)).toEqual(folder(here.dir!));
    const last = progress.filter((p) => p.dedup).at(-1)!;
    expect(last.dedup!.done).toBe(last.dedup!.total);
  }, 60_000);

  test('cancelled while the deferred documents are written: nothing is left, not even the temp folder', async () => {
    const outDir = ws.path('cancelled');
    const abort = new AbortController();
    let sawFinalPass = false;
    const run = importCorpus({
      inputs, outDir, dedupMemoryMB: TINY_MB, signal: abort.signal,
      onProgress: (p) => { if (p.dedup && p.dedup.done > p.dedup.total / 2 && p.dedup.done < p.dedup.total) { sawFinalPass = true; abort.abort(new Error('cancelled by the test')); } },
    });
    await expect(run).rejects.toThrow('cancelled by the test');
    expect(sawFinalPass).toBe(true);
    expect(existsSync(outDir)).toBe(false);
    expect(ws.list().filter((n) => n.includes('cancelled'))).toEqual([]);
  }, 60_000);
});
