// Shards read by range (token-store.ts) give the batches the whole-stream-in-memory reader gave:
// a multi-shard dataset read in blocks that do not divide the shard size, through a cache of
// three blocks, against the same files concatenated into one array, for the causal-LM sampler,
// document batches and BERT's collator (pairs, whole-word masking), train and validation splits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { batchRng, buildShards, importCorpus, openShards, readTexts, sampleBatch, sampleDocumentBatch, splitDataset, textUnits, type TokenDataset } from '../../../src/engine/data';
import { chunksOf } from '../../../src/engine/data/token-store';
import { mlmBatch, mlmSpecials } from '../../../src/engine/objectives/mlm-collator';
import { trainTokenizer } from '../../../src/engine/tokenizers';
import { Workspace } from './helpers';

const ws = new Workspace();
afterAll(() => ws.dispose());

/** The previous reader: every shard file read whole into one array. */
function inMemory(dir: string, ds: TokenDataset): TokenDataset {
  const tokens = new Uint16Array(ds.meta.numTokens);
  let at = 0;
  for (const s of ds.meta.shards) {
    const b = readFileSync(join(dir, s.file));
    tokens.set(new Uint16Array(b.buffer, b.byteOffset, s.tokens), at);
    at += s.tokens;
  }
  return { ...ds, tokens };
}

test('ranged and in-memory readers give identical batches (clm, documents, mlm; train and val)', async () => {
  const paragraphs = Array.from({ length: 80 }, (_, i) => `Paragraph ${i} says the cat sat on mat ${i % 7}. It slept there. ${'More words follow here. '.repeat(i % 5)}`);
  const r = await importCorpus({ inputs: [ws.file('c.txt', paragraphs.join('\n\n'))], outDir: ws.path('corpus') });
  const tok = await trainTokenizer(readTexts(r.dir!), { kind: 'wordpiece', vocabSize: 300 });
  const built = await buildShards({ corpusDir: r.dir!, tokenizer: tok, cacheDir: ws.path('cache'), shardTokens: 500 });
  expect(built.meta.shards.length).toBeGreaterThan(3);
  const ranged = await openShards(built.dir, { blockTokens: 37, cacheBlocks: 3 });
  const memory = inMemory(built.dir, ranged);
  expect(ranged.tokens.length).toBe(memory.tokens.length);
  // Every range, including ones across shard files and longer than the cache.
  for (const [from, to] of [[0, 10], [495, 505], [499, 1001], [0, memory.tokens.length], [memory.tokens.length - 3, memory.tokens.length + 9]]) {
    expect(ranged.tokens.subarray(from, to)).toEqual(memory.tokens.subarray(from, to));
  }
  expect([...chunksOf(ranged.tokens, 0, ranged.tokens.length, 97)].flatMap((c) => [...c.ids])).toEqual([...memory.tokens.subarray(0, memory.tokens.length)]);

  const spec = { kind: 'documents', valFraction: 0.2, seed: 4 } as const;
  const sp = mlmSpecials(tok);
  const units = textUnits(memory, tok);
  const fromFiles = textUnits(ranged, tok); // the units files beside the shards (units-file.ts)
  expect([...fromFiles.sentStart, ...fromFiles.sentEnd, ...fromFiles.docSentences]).toEqual([...units.sentStart, ...units.sentEnd, ...units.docSentences]);
  expect(fromFiles.wordStart.subarray(0, fromFiles.wordStart.length)).toEqual(units.wordStart.subarray(0, units.wordStart.length));
  for (const name of ['train', 'val'] as const) {
    const splitR = splitDataset(ranged, spec)[name], splitM = splitDataset(memory, spec)[name];
    for (let step = 0; step < 5; step++) {
      const rng = () => batchRng(11, step, name);
      expect(sampleBatch(ranged, splitR, 8, 24, rng())).toEqual(sampleBatch(memory, splitM, 8, 24, rng()));
      expect(sampleDocumentBatch(ranged, splitR, 8, 24, rng(), sp.pad)).toEqual(sampleDocumentBatch(memory, splitM, 8, 24, rng(), sp.pad));
      for (const pairs of [false, true]) {
        const opts = { pairs, wholeWord: true, units };
        expect(mlmBatch(ranged, splitR, 8, 32, rng(), sp, opts)).toEqual(mlmBatch(memory, splitM, 8, 32, rng(), sp, opts));
      }
    }
  }
});

test('a truncated shard file is refused on open, naming the file', async () => {
  const r = await importCorpus({ inputs: [ws.file('t.txt', 'abc def\n\nghi jkl')], outDir: ws.path('corpus-t') });
  const tok = await trainTokenizer(readTexts(r.dir!), { kind: 'char', vocabSize: 100 });
  const built = await buildShards({ corpusDir: r.dir!, tokenizer: tok, cacheDir: ws.path('cache-t') });
  const file = join(built.dir, built.meta.shards[0].file);
  const { truncateSync } = await import('node:fs');
  truncateSync(file, 4);
  await expect(openShards(built.dir)).rejects.toThrow(/tokens-00000\.bin has 4 bytes/);
});
