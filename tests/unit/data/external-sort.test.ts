// The external sort (src/engine/data/external-sort.ts) against Array.prototype.sort: random
// records, with many duplicates, in sizes that are and are not multiples of the chunk, merged in
// one pass or several; no run file is left behind.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ExternalSorter, sortRecords } from '../../../src/engine/data/external-sort';
import { mulberry32 } from '../../../src/engine/data/rng';

const root = mkdtempSync(join(tmpdir(), 'external-sort-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function randomRecords(n: number, words: number, seed: number, range: number): number[][] {
  const rng = mulberry32(seed);
  const rand = () => rng.next();
  // A small range for the first word makes many equal keys; the last word is large, as hashes are.
  return Array.from({ length: n }, () => Array.from({ length: words }, (_, k) => (k === 0 ? Math.floor(rand() * range) : Math.floor(rand() * 2 ** 32))));
}

const byWords = (a: number[], b: number[]) => {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k] - b[k];
  return 0;
};

async function externalSort(records: number[][], words: number, opts: { chunkRecords: number; fanIn?: number; name: string }): Promise<{ out: number[][]; runs: number }> {
  const dir = join(root, opts.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const sorter = new ExternalSorter({ words, dir, name: 'test', chunkBytes: opts.chunkRecords * words * 4, fanIn: opts.fanIn, readBytes: 3 * words * 4 });
  for (const r of records) await sorter.push(r);
  const runs = sorter.runCount;
  const out: number[][] = [];
  for await (const batch of sorter.sorted()) {
    expect(batch.length % words).toBe(0);
    for (let i = 0; i < batch.length; i += words) out.push(Array.from(batch.subarray(i, i + words)));
  }
  expect(readdirSync(dir)).toEqual([]);
  return { out, runs };
}

describe('external sort', () => {
  const cases: [string, number, number, number, number | undefined][] = [
    // name, records, words, chunk records, fan-in
    ['empty', 0, 3, 10, undefined],
    ['fewer than one chunk (no run file)', 7, 3, 10, undefined],
    ['exactly one chunk', 10, 3, 10, undefined],
    ['one chunk and a bit', 11, 3, 10, undefined],
    ['not a multiple of the chunk', 1003, 3, 64, undefined],
    ['a multiple of the chunk', 1024, 2, 64, undefined],
    ['more runs than the fan-in: merged in passes', 5000, 3, 37, 4],
    ['one word', 2000, 1, 100, 3],
  ];
  for (const [name, n, words, chunkRecords, fanIn] of cases) {
    test(name, async () => {
      for (const range of [3, 2 ** 32]) {
        const records = randomRecords(n, words, n + words + range, range);
        const { out, runs } = await externalSort(records, words, { chunkRecords, fanIn, name: name.replace(/\W+/g, '-') });
        expect(out).toEqual([...records].sort(byWords));
        expect(runs).toBe(Math.floor(n / chunkRecords));
      }
    });
  }

  test('all records equal, and already sorted or reversed input', async () => {
    const same = Array.from({ length: 500 }, () => [7, 7, 7]);
    expect((await externalSort(same, 3, { chunkRecords: 50, name: 'same' })).out).toEqual(same);
    const sorted = Array.from({ length: 500 }, (_, i) => [i >> 3, i]);
    expect((await externalSort(sorted, 2, { chunkRecords: 64, name: 'sorted' })).out).toEqual(sorted);
    expect((await externalSort([...sorted].reverse(), 2, { chunkRecords: 64, name: 'reversed' })).out).toEqual(sorted);
  });

  test('compares as unsigned 32-bit numbers, the first word most significant', () => {
    const a = new Uint32Array([0xffffffff, 0, 1, 0xffffffff, 0x80000000, 5, 1, 0]);
    sortRecords(a, 2, 4);
    expect(Array.from(a)).toEqual([1, 0, 1, 0xffffffff, 0x80000000, 5, 0xffffffff, 0]);
  });

  test('in-memory sort of random chunks of every small size', () => {
    for (let n = 0; n < 70; n++) {
      const records = randomRecords(n, 2, n, n % 2 ? 5 : 2 ** 32);
      const a = new Uint32Array(records.flat());
      sortRecords(a, 2, n);
      expect(Array.from(a)).toEqual([...records].sort(byWords).flat());
    }
  });

  test('a cancelled sort stops at its next spill or merge step', async () => {
    const dir = join(root, 'abort');
      mkdirSync(dir);
    const abort = new AbortController();
    const sorter = new ExternalSorter({ words: 1, dir, name: 'a', chunkBytes: 40, signal: abort.signal });
    for (let i = 0; i < 25; i++) await sorter.push([i]);
    abort.abort(new Error('cancelled'));
    await expect(sorter.push([1]).then(async () => { for (let i = 0; i < 20; i++) await sorter.push([i]); })).rejects.toThrow('cancelled');
    await sorter.discard();
    expect(readdirSync(dir)).toEqual([]);
  });
});
