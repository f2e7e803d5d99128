// Text units kept as files beside the shards (units-file.ts) hold what the in-memory pass
// computes, for an English and a Chinese corpus and every tokenizer kind; BERT's and BART's
// batches drawn through them are the in-memory path's for the same seed; they are computed once
// (a second open reads the files) and a damaged file is refused, naming it.
import { closeSync, openSync, readdirSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, onTestFinished, test } from 'vitest';
import { batchRng, buildShards, importCorpus, memoryUnits, openShards, readTexts, splitDataset, textUnits, type TextUnits, type TokenDataset } from '../../../src/engine/data';
import { bart } from '../../../src/engine/objectives/bart';
import { mlmBatch, mlmSpecials } from '../../../src/engine/objectives/mlm-collator';
import { discardPairIndexFiles, PAIR_INDEX_MEMORY_DOCUMENTS, pairIndex } from '../../../src/engine/objectives/nsp-pairs';
import { RangedNumbers } from '../../../src/engine/data/number-list';
import { trainTokenizer, type Tokenizer } from '../../../src/engine/tokenizers';
import { Workspace } from './helpers';

const ws = new Workspace();
afterAll(() => ws.dispose());

const english = Array.from({ length: 60 }, (_, i) => `Paragraph ${i} says the unbelievable cat sat on mat ${i % 7}. Mr. Smith watched it sleep! ${'More words follow here. '.repeat(i % 4)}`);
const chinese = Array.from({ length: 60 }, (_, i) => `巴黎是法国的首都。埃菲尔铁塔位于巴黎第${i}区。${'猫在垫子上睡觉。'.repeat(1 + (i % 3))}`);

/** Everything the units hold, as plain arrays. */
function plain(u: TextUnits) {
  return { sentStart: [...u.sentStart], sentEnd: [...u.sentEnd], docSentences: [...u.docSentences], wordStart: [...u.wordStart.subarray(0, u.wordStart.length)] };
}

let n = 0;
async function shards(texts: string[], kind: 'char' | 'wordpiece' | 'bpe'): Promise<{ ds: TokenDataset; tok: Tokenizer; dir: string }> {
  const name = `c${n++}`;
  const r = await importCorpus({ inputs: [ws.file(`${name}.txt`, texts.join('\n\n'))], outDir: ws.path(`${name}-corpus`) });
  const tok = await trainTokenizer(readTexts(r.dir!), { kind, vocabSize: kind === 'char' ? 1000 : 300 });
  const built = await buildShards({ corpusDir: r.dir!, tokenizer: tok, cacheDir: ws.path(`${name}-cache`), shardTokens: 700 });
  // Small blocks and caches: reads cross block and shard boundaries.
  return { ds: await openShards(built.dir, { blockTokens: 53, cacheBlocks: 3, numbers: { blockItems: 7, cacheBlocks: 2 } }), tok, dir: built.dir };
}

const unitsFiles = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('units-')).sort();

for (const [lang, texts] of [['English', english], ['Chinese', chinese]] as const) {
  for (const kind of ['char', 'wordpiece', 'bpe'] as const) {
    test(`${lang}, ${kind}: the units files hold the in-memory units`, async () => {
      const { ds, tok, dir } = await shards(texts, kind);
      const fromFiles = textUnits(ds, tok);
      expect(unitsFiles(dir)).toHaveLength(5);
      expect(fromFiles.sentStart).not.toBeInstanceOf(Float64Array); // read by block, not held
      const memory = memoryUnits(ds, tok);
      expect(plain(fromFiles)).toEqual(plain(memory));
      expect(memory.sentStart.length).toBeGreaterThan(2 * ds.meta.numDocuments);
    });
  }
}

test('MLM+NSP, whole-word MLM and BART batches through the files equal the in-memory path for the same seed', async () => {
  // The file-backed dataset keeps its NSP pair index in files too (any split past 0 documents).
  const limit = PAIR_INDEX_MEMORY_DOCUMENTS.limit;
  PAIR_INDEX_MEMORY_DOCUMENTS.limit = 0;
  onTestFinished(() => { PAIR_INDEX_MEMORY_DOCUMENTS.limit = limit; discardPairIndexFiles(); });
  for (const [texts, kind] of [[english, 'wordpiece'], [chinese, 'char']] as const) {
    const { ds, tok } = await shards(texts, kind);
    const inMemory: TokenDataset = { ...ds, files: undefined };
    const sp = mlmSpecials(tok);
    const fileUnitsOf = textUnits(ds, tok), memUnits = textUnits(inMemory, tok);
    expect(memUnits.sentStart).toBeInstanceOf(Float64Array);
    for (const spec of [{ kind: 'documents', valFraction: 0.3, seed: 3 }, { kind: 'stream', valFraction: 0.3 }] as const) {
      for (const name of ['train', 'val'] as const) {
        const splitF = splitDataset(ds, spec)[name], splitM = splitDataset(inMemory, spec)[name];
        for (let step = 0; step < 4; step++) {
          const rng = () => batchRng(5, step, name);
          for (const pairs of [false, true]) {
            const f = mlmBatch(ds, splitF, 6, 24, rng(), sp, { pairs, wholeWord: true, units: fileUnitsOf });
            if (pairs) expect(pairIndex(ds, fileUnitsOf, splitF).cumPairs).toBeInstanceOf(RangedNumbers);
            expect(f).toEqual(mlmBatch(inMemory, splitM, 6, 24, rng(), sp, { pairs, wholeWord: true, units: memUnits }));
          }
          const collate = bart.collator(tok);
          expect(collate.batch(ds, splitF, 4, 24, rng())).toEqual(collate.batch(inMemory, splitM, 4, 24, rng()));
        }
      }
    }
  }
});

test('computed once: a second open reads the files the first one wrote', async () => {
  const { ds, tok, dir } = await shards(english, 'bpe');
  textUnits(ds, tok);
  const before = unitsFiles(dir).map((f) => { const s = statSync(join(dir, f)); return [f, s.ino, s.mtimeMs]; });
  const again = await openShards(dir);
  const u = textUnits(again, tok);
  expect(unitsFiles(dir).map((f) => { const s = statSync(join(dir, f)); return [f, s.ino, s.mtimeMs]; })).toEqual(before);
  // Proof that it reads them: a flag changed in the file shows through.
  const flags = join(dir, unitsFiles(dir).find((f) => f.endsWith('.word-start.bin'))!);
  const third = await openShards(dir);
  const original = u.wordStart.subarray(0, u.wordStart.length);
  const changed = Uint8Array.from(original, (v, i) => (i === 1 ? 1 - v : v));
  writeFileSync(flags, changed);
  expect(textUnits(third, tok).wordStart.subarray(0, 3)).toEqual(changed.subarray(0, 3));
  expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
});

test('a truncated or damaged units file is refused, naming it', async () => {
  const { ds, tok, dir } = await shards(chinese, 'char');
  textUnits(ds, tok);
  const file = (suffix: string) => join(dir, unitsFiles(dir).find((f) => f.endsWith(suffix))!);
  const reopen = async () => textUnits(await openShards(dir), tok);
  for (const suffix of ['.word-start.bin', '.sent-start.bin', '.doc-sentences.bin']) {
    const path = file(suffix);
    const size = statSync(path).size;
    truncateSync(path, size - 1);
    await expect(reopen()).rejects.toThrow(`units file ${path}: ${size - 1} bytes, expected ${size}; the file is truncated or damaged`);
    truncateSync(path, size);
  }
  // The right size, but the document offsets no longer end at the sentence count.
  const docs = file('.doc-sentences.bin');
  const fd = openSync(docs, 'r+');
  writeSync(fd, Buffer.alloc(8, 0xee), 0, 8, statSync(docs).size - 8);
  closeSync(fd);
  await expect(reopen()).rejects.toThrow(`units file ${docs}: it does not run from 0`);
  const header = file('.json');
  writeFileSync(header, '{"version": 1, "rul');
  await expect(reopen()).rejects.toThrow(`units file ${header}: the header is not valid JSON`);
});
