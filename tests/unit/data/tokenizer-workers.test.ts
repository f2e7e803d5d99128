// Tokenizer training with its counting pass on worker threads trains the same tokenizer as the
// in-thread trainer over the same texts (tokenizer.json byte for byte) for char, BPE and
// WordPiece, with a sample (every k-th document), one side of pairs, the character limit falling
// inside a later range, and several corpus folders; reports a fraction; and a cancel leaves no
// worker running.
import { afterAll, expect, test } from 'vitest';
import { importCorpus, readTexts } from '../../../src/engine/data';
import { workerScript } from '../../../src/engine/data/shard-workers';
import { everyNth } from '../../../src/engine/data/tokenizer-sample';
import { pairSide } from '../../../src/engine/data/pair-tokenizer';
import { liveCountWorkers, trainCorpusTokenizer, type CorpusTexts } from '../../../src/engine/data/tokenizer-workers';
import { trainTokenizer, type Tokenizer, type TrainTokenizerOptions } from '../../../src/engine/tokenizers';
import { Workspace } from './helpers';

const ws = new Workspace();
afterAll(() => ws.dispose());

/** Varied words from a seeded generator (merges have work to do), English and Chinese, with a tab-separated pair column. */
function rows(n: number, seed: number): string[] {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'su', 'ta', 'ri', 'po', 'an', 'el', 'or', 'Us', 'é', '猫', '狗', '公园', '.', ','];
  let s = seed;
  const next = () => { // mulberry32
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const phrase = (words: number) => Array.from({ length: words }, () => Array.from({ length: 1 + Math.floor(next() * 4) }, () => syllables[Math.floor(next() * syllables.length)]).join('')).join(' ');
  return Array.from({ length: n }, () => `${phrase(4 + Math.floor(next() * 30))}\t${phrase(3 + Math.floor(next() * 10))}`);
}

const a = importCorpus({ inputs: [ws.file('a.tsv', 'en\tzh\n' + rows(2500, 7).join('\n') + '\n')], outDir: ws.path('a'), pairs: { source: 'en', target: 'zh' } });
const b = importCorpus({ inputs: [ws.file('b.txt', rows(900, 99).map((r) => r.replace('\t', ' ')).join('\n\n'))], outDir: ws.path('b') });

/** The in-thread trainer's texts for the same selection, built independently of the workers' module. */
async function* reference(src: CorpusTexts): AsyncGenerator<string> {
  async function* all() { for (const d of src.corpusDirs) yield* readTexts(d); }
  for await (const t of everyNth(all(), src.every ?? 1)) yield src.side && src.side !== 'both' ? pairSide(t, src.side) : t;
}

const json = (t: Tokenizer) => JSON.stringify(t.json, null, 2);
const options = (kind: TrainTokenizerOptions['kind'], extra: Partial<TrainTokenizerOptions> = {}): TrainTokenizerOptions =>
  ({ kind, vocabSize: kind === 'char' ? 14 : 700, ...(kind === 'char' ? { specials: [] } : {}), ...(kind === 'bpe' ? { specials: ['<|endoftext|>'] } : {}), ...extra });

test('the counting worker script is found from sources', () => {
  expect(workerScript('tokenizer-count-worker')).not.toBeNull();
});

for (const kind of ['char', 'bpe', 'wordpiece'] as const) {
  test(`${kind}: 1 and 3 counting workers train the in-thread tokenizer, with a sample, a side, a limit and two folders`, async () => {
    const dirA = (await a).dir!, dirB = (await b).dir!;
    const cases: { src: CorpusTexts; opts: TrainTokenizerOptions; name: string }[] = [
      { name: 'whole', src: { corpusDirs: [dirA] }, opts: options(kind) },
      { name: 'every 3rd, source side', src: { corpusDirs: [dirA], every: 3, side: 'source' }, opts: options(kind) },
      { name: 'target side, lowercase', src: { corpusDirs: [dirA], side: 'target' }, opts: options(kind, { lowercase: kind === 'wordpiece' }) },
      // About 60% of the characters: the limit falls in a later worker's range.
      { name: 'limit', src: { corpusDirs: [dirA, dirB], every: 2 }, opts: options(kind, { maxTrainChars: 150_000 }) },
      { name: 'two folders', src: { corpusDirs: [dirB, dirA] }, opts: options(kind) },
    ];
    for (const c of cases) {
      const expected = json(await trainTokenizer(reference(c.src), c.opts));
      for (const workers of [1, 3]) {
        const got = json(await trainCorpusTokenizer(c.src, c.opts, { workers }));
        expect(got === expected, `${c.name}, ${workers} workers`).toBe(true);
      }
    }
  }, 240_000);
}

test('the limit case really cuts inside the input', async () => {
  const dirA = (await a).dir!, dirB = (await b).dir!;
  let chars = 0;
  for await (const t of reference({ corpusDirs: [dirA, dirB], every: 2 })) chars += t.length;
  expect(chars).toBeGreaterThan(150_000 * 1.3);
});

test('the fraction moves and reaches 1; a cancel stops every worker', async () => {
  const dir = (await a).dir!;
  let chars = 0;
  for await (const t of readTexts(dir)) chars += t.length;
  const seen: number[] = [];
  await trainCorpusTokenizer({ corpusDirs: [dir] }, options('wordpiece'), { workers: 2, expectedChars: chars, onProgress: (f) => seen.push(f) });
  expect(seen[0]).toBe(0);
  expect(seen.at(-1)).toBe(1);
  expect(seen.filter((f) => f > 0 && f < 0.75).length, 'counting reports as it goes').toBeGreaterThan(2);
  for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]);

  const abort = new AbortController();
  const training = trainCorpusTokenizer({ corpusDirs: [dir] }, options('bpe'), {
    workers: 2, expectedChars: chars, signal: abort.signal,
    onProgress: (f) => { if (f > 0) abort.abort(new Error('cancelled by the test')); },
  });
  await expect(training).rejects.toThrow('cancelled by the test');
  expect(liveCountWorkers()).toBe(0);
}, 120_000);
