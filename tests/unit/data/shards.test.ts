// Token shards: content, dtype, the cache (hit on the second build, miss on any change), splits
// (by document, seeded; by stream, 90/10) and the batch samplers' determinism.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  importCorpus, buildShards, openShards, documentTokens, splitDataset, sampleBatch, sampleDocumentBatch, batchRng, readTexts, valueAt,
} from '../../../src/engine/data';
import { trainTokenizer, type Tokenizer } from '../../../src/engine/tokenizers';
import { Workspace } from './helpers';

const ws = new Workspace();
afterAll(() => ws.dispose());

const paragraphs = Array.from({ length: 120 }, (_, i) => `Paragraph ${i}: the cat sat on mat ${i % 9}.\n猫在垫子上睡觉${i % 4}。`);
const corpusFile = ws.file('c.txt', paragraphs.join('\n\n'));
const labeled = ws.file('l.csv', 'text,label\n' + Array.from({ length: 30 }, (_, i) => `row ${i},${i % 3 === 0 ? 'neg' : 'pos'}`).join('\n'));

async function setup(): Promise<{ corpus: string; tok: Tokenizer }> {
  const r = await importCorpus({ inputs: [corpusFile], outDir: ws.path('corpus') });
  const tok = await trainTokenizer(readTexts(r.dir!), { kind: 'bpe', vocabSize: 350 });
  return { corpus: r.dir!, tok };
}

describe('building and caching', () => {
  test('the stream is documents + separator in order, with a document index', async () => {
    const { corpus, tok } = await setup();
    const built = await buildShards({ corpusDir: corpus, tokenizer: tok, cacheDir: ws.path('cache') });
    expect(built.cacheHit).toBe(false);
    const ds = await openShards(built.dir);
    expect(ds.meta.dtype).toBe('uint16');
    expect(ds.tokens.subarray(0, 1)).toBeInstanceOf(Uint16Array);
    expect(ds.meta.numDocuments).toBe(120);
    expect(ds.meta.separator).toEqual([tok.tokenToId('<|endoftext|>')]);
    for (const i of [0, 1, 57, 119]) expect(tok.decode([...documentTokens(ds, i)])).toBe(paragraphs[i]);
    const total = paragraphs.reduce((s, p) => s + tok.encode(p).length + 1, 0);
    expect(ds.meta.numTokens).toBe(total);
    expect(valueAt(ds.docStarts, 120)).toBe(total);
  });

  test('second build is a cache hit; corpus or tokenizer changes give a new directory', async () => {
    const { corpus, tok } = await setup();
    const cacheDir = ws.path('cache2');
    const first = await buildShards({ corpusDir: corpus, tokenizer: tok, cacheDir });
    const t0 = performance.now();
    const second = await buildShards({ corpusDir: corpus, tokenizer: tok, cacheDir });
    expect(second.cacheHit).toBe(true);
    expect(second.dir).toBe(first.dir);
    expect(performance.now() - t0).toBeLessThan(500);

    const tok2 = await trainTokenizer(readTexts(corpus), { kind: 'bpe', vocabSize: 350, specials: { sentinels: 4 } });
    const other = await buildShards({ corpusDir: corpus, tokenizer: tok2, cacheDir });
    expect(other.cacheHit).toBe(false);
    expect(other.dir).not.toBe(first.dir);

    writeFileSync(ws.path('c2.txt'), paragraphs.slice(1).join('\n\n'));
    const changed = await importCorpus({ inputs: [ws.path('c2.txt')], outDir: ws.path('corpus2') });
    const third = await buildShards({ corpusDir: changed.dir!, tokenizer: tok, cacheDir });
    expect(third.cacheHit).toBe(false);
    expect(third.meta.numDocuments).toBe(119);
    expect(readdirSync(cacheDir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  test('uint32 when the vocabulary exceeds 65535, several shard files', async () => {
    // 66,000 distinct characters (CJK, Hangul, CJK extension B) force a char vocabulary past uint16.
    const cps = [...Array.from({ length: 20992 }, (_, i) => 0x4e00 + i), ...Array.from({ length: 11172 }, (_, i) => 0xac00 + i), ...Array.from({ length: 33836 }, (_, i) => 0x20000 + i)];
    const wide = String.fromCodePoint(...cps);
    const r = await importCorpus({ inputs: [ws.file('wide.txt', `${wide}\n\nrow 7`)], outDir: ws.path('corpus-w') });
    const tok = await trainTokenizer(readTexts(r.dir!), { kind: 'char', vocabSize: 70000, specials: { sentinels: 0 } });
    expect(tok.vocabSize).toBeGreaterThan(65535);
    const built = await buildShards({ corpusDir: r.dir!, tokenizer: tok, cacheDir: ws.path('cache3'), shardTokens: 30000 });
    expect(built.meta.dtype).toBe('uint32');
    expect(built.meta.shards.length).toBe(3);
    const ds = await openShards(built.dir);
    expect(ds.tokens.subarray(0, 1)).toBeInstanceOf(Uint32Array);
    expect(tok.decode([...documentTokens(ds, 0)])).toBe(wide);
    expect(tok.decode([...documentTokens(ds, 1)])).toBe('row 7');
  });

  test('labels travel with the documents', async () => {
    const r = await importCorpus({ inputs: [labeled], outDir: ws.path('corpus-l') });
    const tok = await trainTokenizer(readTexts(r.dir!), { kind: 'char', vocabSize: 100 });
    const ds = await openShards((await buildShards({ corpusDir: r.dir!, tokenizer: tok, cacheDir: ws.path('cache4') })).dir);
    expect(tok.decode([...documentTokens(ds, 7)])).toBe('row 7');
    expect(ds.meta.labels).toEqual(['neg', 'pos']);
    expect([...ds.labels!.subarray(0, 4)]).toEqual([0, 1, 1, 0]);
  });
});

describe('splits and batches', () => {
  test('document split: seeded, deterministic, about the requested fraction, disjoint and complete', async () => {
    const { corpus, tok } = await setup();
    const ds = await openShards((await buildShards({ corpusDir: corpus, tokenizer: tok, cacheDir: ws.path('cache') })).dir);
    const a = splitDataset(ds, { kind: 'documents', valFraction: 0.2, seed: 1 });
    const b = splitDataset(ds, { kind: 'documents', valFraction: 0.2, seed: 1 });
    const c = splitDataset(ds, { kind: 'documents', valFraction: 0.2, seed: 2 });
    expect([...a.val.documents]).toEqual([...b.val.documents]);
    expect([...a.val.documents]).not.toEqual([...c.val.documents]);
    expect(a.val.documents.length).toBeGreaterThan(10);
    expect(a.val.documents.length).toBeLessThan(40);
    const all = [...a.train.documents, ...a.val.documents].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 120 }, (_, i) => i));
    expect(a.train.tokens + a.val.tokens).toBe(ds.meta.numTokens);
  });

  test('stream split: first 90% / last 10% of the tokens (characters for a char tokenizer)', async () => {
    const text = 'abcdefghij'.repeat(10);
    const r = await importCorpus({ inputs: [ws.file('s.txt', text)], outDir: ws.path('corpus-s') });
    const tok = await trainTokenizer(readTexts(r.dir!), { kind: 'char', vocabSize: 100, specials: [] });
    const built = await buildShards({ corpusDir: r.dir!, tokenizer: tok, cacheDir: ws.path('cache-s'), separator: [] });
    const ds = await openShards(built.dir);
    expect(ds.meta.numTokens).toBe(100);
    const { train, val } = splitDataset(ds, { kind: 'stream', valFraction: 0.1 });
    expect(train.tokens).toBe(90);
    expect(val.tokens).toBe(10);
    const batch = sampleBatch(ds, val, 4, 9, batchRng(0, 0, 'val'));
    // The only 10-token window of the validation split is the last 10 characters.
    expect(tok.decode([...batch.x.subarray(0, 9)])).toBe('abcdefghi');
    expect(tok.decode([...batch.y.subarray(0, 9)])).toBe('bcdefghij');
  });

  test('sampleBatch: contiguous windows of the split, y = x shifted, same batch for the same (seed, step)', async () => {
    const { corpus, tok } = await setup();
    const ds = await openShards((await buildShards({ corpusDir: corpus, tokenizer: tok, cacheDir: ws.path('cache') })).dir);
    const { train, val } = splitDataset(ds, { kind: 'documents', valFraction: 0.2, seed: 5 });
    const B = 6, T = 16;
    const b1 = sampleBatch(ds, train, B, T, batchRng(42, 7, 'train'));
    const b2 = sampleBatch(ds, train, B, T, batchRng(42, 7, 'train'));
    const b3 = sampleBatch(ds, train, B, T, batchRng(42, 8, 'train'));
    expect(b1.x).toEqual(b2.x);
    expect(b1.x).not.toEqual(b3.x);
    // Every window (x then last y) is a substring of the train split's concatenated tokens.
    const trainStream: number[] = [];
    for (let i = 0; i < train.starts.length; i++) trainStream.push(...ds.tokens.subarray(valueAt(train.starts, i), valueAt(train.ends, i)));
    const valDocs = new Set(val.documents);
    const hay = trainStream.join(',');
    for (let b = 0; b < B; b++) {
      const x = [...b1.x.subarray(b * T, (b + 1) * T)], y = [...b1.y.subarray(b * T, (b + 1) * T)];
      expect(y.slice(0, T - 1)).toEqual(x.slice(1));
      expect(hay.includes([...x, y[T - 1]].join(','))).toBe(true);
    }
    expect(valDocs.size).toBe(val.documents.length);
    expect(() => sampleBatch(ds, val, 1, val.tokens + 5, batchRng(0, 0, 'val'))).toThrow(/fewer than blockSize \+ 1/);
  });

  test('sampleDocumentBatch: whole documents from their start, padded, targets -1 past the end', async () => {
    const { corpus, tok } = await setup();
    const ds = await openShards((await buildShards({ corpusDir: corpus, tokenizer: tok, cacheDir: ws.path('cache') })).dir);
    const { val } = splitDataset(ds, { kind: 'documents', valFraction: 0.2, seed: 5 });
    const T = 64, pad = tok.tokenToId('[PAD]')!;
    const batch = sampleDocumentBatch(ds, val, 4, T, batchRng(1, 3, 'val'), pad);
    expect(sampleDocumentBatch(ds, val, 4, T, batchRng(1, 3, 'val'), pad).documents).toEqual(batch.documents);
    for (let b = 0; b < 4; b++) {
      const d = batch.documents[b];
      expect([...val.documents]).toContain(d);
      const doc = [...documentTokens(ds, d)];
      const len = batch.lengths[b];
      expect(len).toBe(Math.min(doc.length, T));
      expect([...batch.x.subarray(b * T, b * T + len)]).toEqual(doc.slice(0, len));
      expect([...batch.x.subarray(b * T + len, (b + 1) * T)].every((v) => v === pad)).toBe(true);
      expect(batch.y[b * T + len - 1]).toBe(len < doc.length ? doc[len] : -1);
    }
  });
});

test('shard building yields to the event loop', async () => {
  const { corpus, tok } = await setup();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  await buildShards({ corpusDir: corpus, tokenizer: tok, cacheDir: join(ws.root, 'cache-yield') });
  clearInterval(timer);
  expect(ticks).toBeGreaterThan(0);
});

test('cancelling midway leaves no shard folder, partial file or manifest behind', async () => {
  const { corpus, tok } = await setup();
  const cacheDir = ws.path('cache-cancel');
  const ac = new AbortController();
  let seen = 0;
  const build = buildShards({
    corpusDir: corpus, tokenizer: tok, cacheDir, shardTokens: 200, signal: ac.signal,
  });
  // The builder yields to the event loop (TimeSlicer): abort from it once shard files exist.
  const poll = setInterval(() => {
    if (!existsSync(cacheDir)) return;
    const tmp = readdirSync(cacheDir).filter((f) => f.startsWith('.'));
    if (tmp.length && readdirSync(join(cacheDir, tmp[0])).some((f) => f.endsWith('.bin'))) { seen++; ac.abort(); }
  }, 0);
  await expect(build).rejects.toThrow(/abort/i);
  clearInterval(poll);
  expect(seen).toBeGreaterThan(0);
  expect(readdirSync(cacheDir)).toEqual([]);
  // The next build starts clean and completes.
  expect((await buildShards({ corpusDir: corpus, tokenizer: tok, cacheDir })).cacheHit).toBe(false);
});
