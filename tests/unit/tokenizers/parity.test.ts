// Our encoder vs Hugging Face's two implementations on the tokenizer.json files we write:
// the native `tokenizers` package (Rust) and `@huggingface/tokenizers` (pure JS, for the
// renderer) must give identical ids, and decode must agree.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Tokenizer as NativeTokenizer } from 'tokenizers';
import { Tokenizer as JsTokenizer } from '@huggingface/tokenizers';
import { trainTokenizer, saveTokenizer, loadTokenizer, type TokenizerKind } from '../../../src/engine/tokenizers';

const corpus = readFileSync(new URL('../../fixtures/data/mixed-corpus.txt', import.meta.url), 'utf8');
// Repeat with variations so merges have counts to learn from.
const texts = Array.from({ length: 60 }, (_, i) => corpus.split('\n\n')[i % 6] + ` ${i} ${i * 37}`);

const probes: Record<string, string> = {
  english: 'The cat sat on the mat, and the dog wasn\'t impressed.',
  chinese: '猫在垫子上睡觉。今天天气很好！',
  mixed: 'Mixed 中文 and English 混合 text 123.',
  emoji: 'emoji 😀 👍🏽 👨‍👩‍👧 🦄 and unseen 🐙',
  specials: '<|endoftext|>Hello[CLS] a [MASK] b<extra_id_1><extra_id_10>x[SEP]',
  whitespace: '  two  spaces,\ttab\nnewline   end  ',
  unseen: 'Zebra quokka xylophone 鲸鱼 Ωμέγα',
  accents: 'Café naïve résumé ÉCOLE',
};

const work = mkdtempSync(join(tmpdir(), 'tok-parity-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each<[TokenizerKind, number, boolean]>([['char', 120, false], ['bpe', 420, false], ['wordpiece', 200, true], ['wordpiece', 260, false]])('%s tokenizer (vocab %i, lowercase %s)', (kind, vocabSize, lowercase) => {
  test('ids and decoding match tokenizers (native) and @huggingface/tokenizers', async () => {
    const ours = await trainTokenizer(texts, { kind, vocabSize, lowercase });
    const path = join(work, `${kind}-${lowercase}.json`);
    saveTokenizer(ours, path);
    const reloaded = await loadTokenizer(path);
    expect(reloaded.hash).toBe(ours.hash);
    const native = NativeTokenizer.fromFile(path);
    // As the renderer must load it: without transformers' extra whole-string space cleanup.
    const js = new JsTokenizer(JSON.parse(readFileSync(path, 'utf8')), { clean_up_tokenization_spaces: false });
    expect(native.getVocabSize(true)).toBe(ours.vocabSize);
    for (const [name, text] of Object.entries(probes)) {
      const ids = ours.encode(text);
      expect(ids.length, name).toBeGreaterThan(0);
      const nativeIds = (await native.encode(text, null, { addSpecialTokens: false })).getIds();
      const jsIds = js.encode(text, { add_special_tokens: false }).ids;
      expect(ids, `${name} vs native`).toEqual(nativeIds);
      expect(ids, `${name} vs js`).toEqual(jsIds);
      expect(ours.decode(ids), `${name} decode vs native`).toBe(await native.decode(ids, false));
      expect(ours.decode(ids), `${name} decode vs js`).toBe(js.decode(ids, {}));
      expect(ours.decode(ids, { skipSpecialTokens: true }), `${name} decode skip`).toBe(await native.decode(ids, true));
    }
    // With the post-processor template (BERT: [CLS] A [SEP] B [SEP]); pairs and type ids.
    const withSpecials = ours.encodeWithSpecials(probes.english, probes.chinese);
    const nativePair = await native.encode(probes.english, probes.chinese);
    expect(withSpecials.ids).toEqual(nativePair.getIds());
    expect(withSpecials.typeIds).toEqual(nativePair.getTypeIds());
    expect(withSpecials.ids).toEqual(js.encode(probes.english, { text_pair: probes.chinese }).ids);
  });
});

test('round trips: char and byte-level BPE are lossless, WordPiece returns the normalized words', async () => {
  const char = await trainTokenizer(texts, { kind: 'char', vocabSize: 400 });
  const bpe = await trainTokenizer(texts, { kind: 'bpe', vocabSize: 400 });
  const wp = await trainTokenizer(texts, { kind: 'wordpiece', vocabSize: 400, lowercase: true });
  for (const text of texts) expect(char.decode(char.encode(text))).toBe(text);
  // Characters never seen become [UNK]; nothing is silently dropped.
  expect(char.decode(char.encode('猫Ω'))).toBe('猫[UNK]');
  // Byte-level BPE round-trips anything, including emoji never seen in training.
  for (const text of Object.values(probes)) expect(bpe.decode(bpe.encode(text))).toBe(text);
  expect(wp.decode(wp.encode('The cat sat on the mat.'))).toBe('the cat sat on the mat.');
  expect(wp.decode(wp.encode('猫在垫子上睡觉'))).toBe('猫 在 垫 子 上 睡 觉');
});

test('parity on the built-in sample corpus (every 3rd document, all kinds, cased and uncased)', async () => {
  const { importCorpus, readDocuments, SAMPLE_CORPUS_FILES } = await import('../../../src/engine/data');
  const dir = new URL('../../../assets/sample-corpus/', import.meta.url).pathname;
  const r = await importCorpus({ inputs: SAMPLE_CORPUS_FILES.map((f) => join(dir, f)), outDir: join(work, 'sample') });
  const docs: string[] = [];
  let i = 0;
  for await (const d of readDocuments(r.dir!)) if (i++ % 3 === 0) docs.push(d.text);
  for (const [kind, vocabSize, lowercase] of [['char', 500, false], ['bpe', 1500, false], ['wordpiece', 1500, true], ['wordpiece', 1500, false]] as const) {
    const ours = await trainTokenizer(docs, { kind, vocabSize, lowercase });
    const native = NativeTokenizer.fromString(JSON.stringify(ours.json));
    const js = new JsTokenizer(ours.json as never, { clean_up_tokenization_spaces: false });
    const nativeIds = (await native.encodeBatch(docs, { addSpecialTokens: false })).map((e) => e.getIds());
    let mismatches = 0;
    docs.forEach((d, k) => {
      const ids = ours.encode(d);
      if (!sameIds(ids, nativeIds[k]) || !sameIds(ids, js.encode(d, { add_special_tokens: false }).ids)) mismatches++;
    });
    expect(mismatches, `${kind} lowercase=${lowercase}: documents whose ids differ`).toBe(0);
  }
}, 60_000);

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
