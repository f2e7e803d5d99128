// Document offsets, labels and splits read by block from files (number-list.ts, split-file.ts)
// hold the numbers the in-memory arrays held: docs.bin and labels.bin have the format the whole-
// array writer produced; a split file equals the split computed in memory for several specs and
// gives the same batches; damaged files are refused naming the file; the cache key follows the spec.
import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { batchRng, buildShards, importCorpus, openShards, readDocuments, readTexts, sampleBatch, sampleDocumentBatch, splitDataset, type SplitSpec, type TokenDataset } from '../../../src/engine/data';
import { RangedNumbers } from '../../../src/engine/data/number-list';
import { memorySplit } from '../../../src/engine/data/split';
import { splitFilePath, splitKey } from '../../../src/engine/data/split-file';
import { trainTokenizer, type Tokenizer } from '../../../src/engine/tokenizers';
import { Workspace } from './helpers';

const ws = new Workspace();
afterAll(() => ws.dispose());

const rows = Array.from({ length: 300 }, (_, i) => `"row ${i}: the cat ${i % 17} sat ${'on the mat '.repeat(i % 6)}猫${i % 5}。",${i % 11 === 0 ? '' : i % 3 ? 'pos' : 'neg'}`);
let corpus: string, tok: Tokenizer;
beforeAll(async () => {
  const r = await importCorpus({ inputs: [ws.file('rows.csv', 'text,label\n' + rows.join('\n') + '\n')], outDir: ws.path('corpus') });
  corpus = r.dir!;
  tok = await trainTokenizer(readTexts(corpus), { kind: 'bpe', vocabSize: 300 });
});

/** A copy of a shard folder (tests that damage files keep the shared one whole). */
function copyOf(dir: string, name: string): string {
  const to = ws.path(name);
  for (const f of readdirSync(dir)) ws.file(join(name, f), readFileSync(join(dir, f)));
  return to;
}

/** Small blocks and caches, so reads cross block boundaries and evict. */
const small = { blockTokens: 37, cacheBlocks: 3, numbers: { blockItems: 7, cacheBlocks: 2 } };

/** The same dataset with its offsets and labels as typed arrays and no folder: the in-memory path. */
function inMemory(ds: TokenDataset): TokenDataset {
  return { meta: ds.meta, tokens: ds.tokens, docStarts: Float64Array.from(ds.docStarts), labels: ds.labels && Int32Array.from(ds.labels) };
}

describe('docs.bin and labels.bin', () => {
  test('hold what the whole-array writer wrote (uint64 offsets, int32 labels by first appearance), in this thread and on workers', async () => {
    const starts = [0n], labels: number[] = [], names: string[] = [];
    for await (const d of readDocuments(corpus)) {
      starts.push(starts[starts.length - 1] + BigInt(tok.encode(d.text).length + 1));
      if (d.label !== undefined && !names.includes(d.label)) names.push(d.label);
      labels.push(d.label === undefined ? -1 : names.indexOf(d.label));
    }
    expect(labels).toContain(-1);
    for (const workers of [0, 2]) {
      const built = await buildShards({ corpusDir: corpus, tokenizer: tok, cacheDir: ws.path(`formats-${workers}`), workers });
      expect(readFileSync(join(built.dir, 'docs.bin'))).toEqual(Buffer.from(BigUint64Array.from(starts).buffer));
      expect(readFileSync(join(built.dir, 'labels.bin'))).toEqual(Buffer.from(Int32Array.from(labels).buffer));
      expect(built.meta.labels).toEqual(names);
      const ds = await openShards(built.dir, small);
      expect([...ds.docStarts]).toEqual(starts.map(Number));
      expect([...ds.labels!]).toEqual(labels);
    }
  }, 60_000);

  test('RangedNumbers reads like the typed array it was written from, across blocks', () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => i * 3.5 - 7);
    const path = ws.file('nums.f64', new Uint8Array(values.buffer));
    const list = new RangedNumbers(path, 'float64', 1000, { blockItems: 64, cacheBlocks: 2 });
    for (const i of [0, 63, 64, 999, 500, 1, 998]) expect(list.at(i)).toBe(values[i]);
    expect(list.at(1000)).toBeUndefined();
    expect(list.at(-1)).toBeUndefined();
    expect(list.subarray(60, 200)).toEqual(values.subarray(60, 200));
    expect([...list]).toEqual([...values]);
    expect(() => new RangedNumbers(path, 'float64', 1001)).toThrow(/nums\.f64 has 8000 bytes, expected at least 8008/);
  });
});

describe('splits from files', () => {
  const specs: SplitSpec[] = [
    { kind: 'documents', valFraction: 0.1, seed: 1 },
    { kind: 'documents', valFraction: 0.35, seed: 9 },
    { kind: 'documents', valFraction: 0.001, seed: 3 }, // none drawn: one is moved to validation
    { kind: 'documents', valFraction: 0, seed: 3 },
    { kind: 'stream', valFraction: 0.1 },
    { kind: 'stream', valFraction: 0.5 },
  ];

  test('a split file holds the split computed in memory, and gives the same batches', async () => {
    const built = await buildShards({ corpusDir: corpus, tokenizer: tok, cacheDir: ws.path('splits'), workers: 0 });
    const ds = await openShards(built.dir, small);
    const mem = inMemory(ds);
    for (const spec of specs) {
      const fromFile = splitDataset(ds, spec), fromMemory = splitDataset(mem, spec);
      expect(fromMemory.train.starts).toBeInstanceOf(Float64Array);
      expect(fromFile.train.starts).toBeInstanceOf(RangedNumbers);
      for (const name of ['train', 'val'] as const) {
        const f = fromFile[name], m = fromMemory[name];
        expect({ tokens: f.tokens, starts: [...f.starts], ends: [...f.ends], cum: [...f.cum], documents: [...f.documents] }, `${JSON.stringify(spec)} ${name}`)
          .toEqual({ tokens: m.tokens, starts: [...m.starts], ends: [...m.ends], cum: [...m.cum], documents: [...m.documents] });
        if (f.tokens < 30 || f.documents.length === 0) continue;
        for (let step = 0; step < 4; step++) {
          const rng = () => batchRng(5, step, name);
          expect(sampleBatch(ds, f, 6, 20, rng())).toEqual(sampleBatch(mem, m, 6, 20, rng()));
          expect(sampleDocumentBatch(ds, f, 6, 20, rng(), 0)).toEqual(sampleDocumentBatch(mem, m, 6, 20, rng(), 0));
        }
      }
      expect(fromFile.train.documents.length + fromFile.val.documents.length).toBeGreaterThanOrEqual(ds.meta.numDocuments);
    }
    // 0.001 draws no document: the rule "one on each side" moved one, the same one both ways.
    expect(splitDataset(ds, specs[2]).val.documents.length).toBe(1);
    // One file per spec, nothing temporary left.
    const names = readdirSync(built.dir).filter((f) => f.startsWith('split-') || f.startsWith('.'));
    expect(names.sort()).toEqual(specs.map((s) => `split-${splitKey(s)}.bin`).sort());
  }, 60_000);

  test('the file is computed once: a second open reads it', async () => {
    const built = await buildShards({ corpusDir: corpus, tokenizer: tok, cacheDir: ws.path('splits'), workers: 0 });
    const spec: SplitSpec = { kind: 'documents', valFraction: 0.2, seed: 4 };
    const first = splitDataset(await openShards(built.dir), spec);
    const path = splitFilePath(built.dir, spec);
    // Written again, it would be a new file renamed over this one (another inode).
    const { ino, mtimeMs } = statSync(path);
    const second = splitDataset(await openShards(built.dir), spec);
    expect(statSync(path)).toMatchObject({ ino, mtimeMs });
    expect([...second.val.documents]).toEqual([...first.val.documents]);
  }, 60_000);

  test('the cache key follows the spec: kind, fraction, seed (not the seed of a stream split)', () => {
    const keys = [
      splitKey({ kind: 'documents', valFraction: 0.1, seed: 1 }),
      splitKey({ kind: 'documents', valFraction: 0.1, seed: 2 }),
      splitKey({ kind: 'documents', valFraction: 0.2, seed: 1 }),
      splitKey({ kind: 'stream', valFraction: 0.1 }),
      splitKey({ kind: 'stream', valFraction: 0.2 }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(splitKey({ kind: 'stream', valFraction: 0.1, seed: 7 } as SplitSpec)).toBe(keys[3]);
    expect(splitFilePath('/x', { kind: 'stream', valFraction: 0.1 })).toBe(join('/x', `split-${keys[3]}.bin`));
  });
});

describe('damaged files are refused, naming the file', () => {
  const spec: SplitSpec = { kind: 'documents', valFraction: 0.2, seed: 2 };
  let shardDir: string;
  beforeAll(async () => {
    shardDir = (await buildShards({ corpusDir: corpus, tokenizer: tok, cacheDir: ws.path('damage'), workers: 0 })).dir;
  });

  test('a truncated docs.bin or labels.bin', async () => {
    const dir = copyOf(shardDir, 'short-docs');
    truncateSync(join(dir, 'docs.bin'), statSync(join(dir, 'docs.bin')).size - 8);
    await expect(openShards(dir)).rejects.toThrow(/short-docs\/docs\.bin has \d+ bytes, expected \d+ \(301 uint64 offsets\)/);
    const dir2 = copyOf(shardDir, 'short-labels');
    truncateSync(join(dir2, 'labels.bin'), 10);
    await expect(openShards(dir2)).rejects.toThrow(/short-labels\/labels\.bin has 10 bytes, expected 1200/);
  });

  test('docs.bin whose offsets are damaged', async () => {
    const dir = copyOf(shardDir, 'bad-docs');
    const bytes = readFileSync(join(dir, 'docs.bin'));
    bytes.writeBigUInt64LE(5n, 8 * 300); // the end no longer matches meta.json
    writeFileSync(join(dir, 'docs.bin'), bytes);
    await expect(openShards(dir)).rejects.toThrow(/bad-docs\/docs\.bin runs from 0 to 5, expected 0 to \d+/);
    const dir2 = copyOf(shardDir, 'bad-docs2');
    const b2 = readFileSync(join(dir2, 'docs.bin'));
    b2.writeBigUInt64LE(b2.readBigUInt64LE(8 * 100) + 1000n, 8 * 50); // offsets go down after document 50
    writeFileSync(join(dir2, 'docs.bin'), b2);
    const ds = await openShards(dir2);
    expect(() => splitDataset(ds, spec)).toThrow(/bad-docs2\/docs\.bin: document \d+ ends at \d+, before its start \d+; the offsets are damaged/);
  });

  test('a truncated or damaged split file', async () => {
    const dir = copyOf(shardDir, 'bad-split');
    const ds = await openShards(dir);
    splitDataset(ds, spec);
    const path = splitFilePath(dir, spec);
    const whole = readFileSync(path);
    truncateSync(path, whole.length - 4);
    expect(() => splitDataset(ds, spec)).toThrow(new RegExp(`split file ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+ bytes, expected ${whole.length}; the file is truncated or damaged`));
    const garbage = Buffer.from(whole); garbage.write('NOTSPLIT', 0, 'latin1');
    writeFileSync(path, garbage);
    expect(() => splitDataset(ds, spec)).toThrow(/bad-split\/split-[0-9a-f]{16}\.bin: not a split file/);
    // Another spec's file under this name.
    const other: SplitSpec = { kind: 'stream', valFraction: 0.3 };
    splitDataset(ds, other);
    writeFileSync(path, readFileSync(splitFilePath(dir, other)));
    expect(() => splitDataset(ds, spec)).toThrow(/it holds the split \{"kind":"stream"/);
    // Cumulative counts that do not add up.
    const bad = Buffer.from(whole);
    const header = JSON.parse(bad.toString('utf8', 16, 16 + bad.readUInt32LE(8))) as { train: { offsets: { cum: number }; ranges: number } };
    bad.writeDoubleLE(1, header.train.offsets.cum + 8 * header.train.ranges);
    writeFileSync(path, bad);
    expect(() => splitDataset(ds, spec)).toThrow(/the train side's token counts do not add up/);
    // Deleted, it is computed again.
    const { rmSync } = await import('node:fs');
    rmSync(path);
    expect([...splitDataset(ds, spec).val.documents]).toEqual([...memorySplit(inMemory(ds), spec).val.documents]);
  });
});
