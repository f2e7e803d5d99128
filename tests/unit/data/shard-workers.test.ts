// Shard encoding on worker threads writes the same bytes as the in-thread builder (tokens split
// over several shard files, document offsets, labels numbered by first appearance), reports
// progress, leaves the host's event loop free, and an abort leaves no folder behind.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { buildShards, importCorpus, readTexts } from '../../../src/engine/data';
import { lineRanges, shardWorkerScript } from '../../../src/engine/data/shard-workers';
import { PairTokenizer } from '../../../src/engine/data/pair-tokenizer';
import { PAIR_SEPARATOR } from '../../../src/engine/data/formats';
import { trainTokenizer } from '../../../src/engine/tokenizers';
import { Workspace } from './helpers';

const ws = new Workspace();
afterAll(() => ws.dispose());

// Varied rows with labels whose first appearances fall in different workers' ranges.
const rows = Array.from({ length: 3000 }, (_, i) => `"row ${i}: the cat ${i % 97} sat on mat ${i % 13}, 猫在垫子上睡觉${i % 7}。",${i < 1500 ? (i % 2 ? 'pos' : 'neg') : i % 3 ? 'late' : 'pos'}`);
const csv = ws.file('rows.csv', 'text,label\n' + rows.join('\n') + '\n');

/** Every file of a shard folder, by name, as bytes. */
function files(dir: string): Record<string, Buffer> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f))]));
}

test('worker threads write byte-identical shards to the in-thread path', async () => {
  expect(shardWorkerScript(), 'the worker script is found from sources').not.toBeNull();
  const r = await importCorpus({ inputs: [csv], outDir: ws.path('corpus') });
  const tok = await trainTokenizer(readTexts(r.dir!), { kind: 'bpe', vocabSize: 400 });
  // A shard file every 5000 tokens: boundaries fall inside documents and inside workers' parts.
  const inThread = await buildShards({ corpusDir: r.dir!, tokenizer: tok, cacheDir: ws.path('a'), shardTokens: 5000, workers: 0 });
  const expected = files(inThread.dir);
  expect(Object.keys(expected).filter((f) => f.startsWith('tokens-')).length).toBeGreaterThan(3);
  expect(inThread.meta.labels).toEqual(['neg', 'pos', 'late']);
  for (const workers of [1, 3]) {
    const seen: number[] = [];
    const cache = ws.path(`w${workers}`);
    const built = await buildShards({ corpusDir: r.dir!, tokenizer: tok, cacheDir: cache, shardTokens: 5000, workers, onProgress: (p) => seen.push(p.documents) });
    expect(built.dir.split('/').pop()).toBe(inThread.dir.split('/').pop());
    expect(built.meta).toEqual(inThread.meta);
    expect(files(built.dir), `${workers} workers`).toEqual(expected);
    expect(seen.at(-1)).toBe(3000);
    // Nothing else in the cache: no parts, no temporary folder.
    expect(readdirSync(cache)).toEqual([built.dir.split('/').pop()]);
  }
}, 120_000);

test('a seq2seq pair of tokenizers (one per side) encodes the same on workers as in this thread', async () => {
  const pairs = Array.from({ length: 400 }, (_, i) => `the cat ${i % 31} sat on the mat ${i % 7}.\t猫${i % 13}在垫子上睡觉${i % 5}。`);
  const tsv = ws.file('pairs.tsv', 'en\tzh\n' + pairs.join('\n') + '\n');
  const r = await importCorpus({ inputs: [tsv], outDir: ws.path('pairs-corpus'), pairs: { source: 'en', target: 'zh' } });
  const texts = [] as string[];
  for await (const t of readTexts(r.dir!)) texts.push(t);
  const side = (k: 0 | 1) => texts.map((t) => t.split(PAIR_SEPARATOR)[k]);
  const pair = new PairTokenizer(
    await trainTokenizer(side(0), { kind: 'bpe', vocabSize: 300 }),
    await trainTokenizer(side(1), { kind: 'bpe', vocabSize: 300 }),
  );
  const inThread = await buildShards({ corpusDir: r.dir!, tokenizer: pair, cacheDir: ws.path('p0'), shardTokens: 3000, workers: 0 });
  const onWorkers = await buildShards({ corpusDir: r.dir!, tokenizer: pair, cacheDir: ws.path('p2'), shardTokens: 3000, workers: 2 });
  expect(onWorkers.meta).toEqual(inThread.meta);
  expect(files(onWorkers.dir)).toEqual(files(inThread.dir));
}, 120_000);

test('the host thread stays free while workers encode', async () => {
  const big = ws.file('big.txt', Array.from({ length: 20000 }, (_, i) => `paragraph ${i} about cats ${i % 101} and dogs ${i % 37}, 公园${i % 11}。`).join('\n\n'));
  const r = await importCorpus({ inputs: [big], outDir: ws.path('big-corpus') });
  const tok = await trainTokenizer(readTexts(r.dir!), { kind: 'wordpiece', vocabSize: 600 });
  // How busy the host's event loop is while shards are built: mostly idle with workers (it waits
  // on messages and copies part files), busy encoding without them.
  const busy = async (workers: number, cacheDir: string): Promise<number> => {
    const before = performance.eventLoopUtilization();
    await buildShards({ corpusDir: r.dir!, tokenizer: tok, cacheDir, workers });
    return performance.eventLoopUtilization(before).utilization;
  };
  const inThread = await busy(0, ws.path('big-cache-0'));
  const withWorkers = await busy(2, ws.path('big-cache-2'));
  console.log(`event loop utilization while building shards: ${inThread.toFixed(2)} in this thread, ${withWorkers.toFixed(2)} with 2 workers`);
  expect(inThread).toBeGreaterThan(0.6);
  expect(withWorkers).toBeLessThan(0.3);
}, 120_000);

test('an abort stops the workers and leaves no folder; line ranges start on line boundaries', async () => {
  const r = await importCorpus({ inputs: [csv], outDir: ws.path('corpus-abort') });
  const tok = await trainTokenizer(readTexts(r.dir!), { kind: 'bpe', vocabSize: 400 });
  const ac = new AbortController();
  const cache = ws.path('aborted');
  /** Files this process holds open (Linux), by path. */
  const openFiles = () => (existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').map((f) => { try { return readlinkSync(`/proc/self/fd/${f}`); } catch { return ''; } }) : []);
  const build = buildShards({ corpusDir: r.dir!, tokenizer: tok, cacheDir: cache, workers: 2, signal: ac.signal, onProgress: () => ac.abort() });
  await expect(build).rejects.toThrow(/abort/i);
  expect(readdirSync(cache)).toEqual([]);
  // No file of the cache is left open in this process.
  expect(openFiles().filter((p) => p.includes(cache))).toEqual([]);

  const docs = join(r.dir!, 'documents.jsonl');
  const text = readFileSync(docs);
  const ranges = await lineRanges(docs, 5);
  expect(ranges[0][0]).toBe(0);
  expect(ranges.at(-1)![1]).toBe(text.length);
  for (let i = 1; i < ranges.length; i++) {
    expect(ranges[i][0]).toBe(ranges[i - 1][1]);
    expect(text[ranges[i][0] - 1]).toBe(10);
  }
  // One line longer than the probe: a single range.
  const line = JSON.stringify({ text: 'x'.repeat(200_000), source: 0 }) + '\n';
  expect(await lineRanges(ws.file('one.jsonl', line), 4)).toEqual([[0, line.length]]);
});
