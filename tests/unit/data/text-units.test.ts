// Sentences and word starts in token space, from real tokenizers of each kind: sentence ends
// land on token boundaries, WordPiece "##" pieces and BPE continuations never start a word, and
// Chinese words (Intl.Segmenter) span several character tokens.
import { expect, test } from 'vitest';
import { textUnits, tokenText, valueAt, type TokenDataset } from '../../../src/engine/data';
import { trainTokenizer, type Tokenizer } from '../../../src/engine/tokenizers';

const docs = [
  'The unbelievable cat sat on the mat. Mr. Smith watched it sleep! Then everybody left.',
  '巴黎是法国的首都。埃菲尔铁塔位于巴黎。猫在垫子上睡觉。',
  'Single sentence without a stop',
];

function dataset(tok: Tokenizer): TokenDataset {
  const sep = tok.encode('\n\n');
  const ids: number[] = [], starts = [0];
  for (const d of docs) { ids.push(...tok.encode(d), ...sep); starts.push(ids.length); }
  const tokens = Uint32Array.from(ids);
  return {
    meta: { version: 1, key: 'k', corpusHash: 'c', tokenizerHash: tok.hash, dtype: 'uint32', vocabSize: tok.vocabSize, numTokens: tokens.length, numDocuments: docs.length, separator: sep, shards: [], labels: [] },
    tokens, docStarts: Float64Array.from(starts), labels: null,
  };
}

for (const kind of ['wordpiece', 'bpe', 'char'] as const) {
  test(`${kind}: sentences decode to the splitter's sentences; words are never cut inside`, async () => {
    const tok = await trainTokenizer(docs, { kind, vocabSize: kind === 'char' ? 1000 : 300 });
    const ds = dataset(tok);
    const u = textUnits(ds, tok);
    expect([...u.docSentences]).toEqual([0, 3, 6, 7]);
    const sentence = (k: number) => tok.decode([...ds.tokens.subarray(valueAt(u.sentStart, k), valueAt(u.sentEnd, k))]).trim();
    expect(sentence(1).replace(/ /g, '')).toBe('Mr.Smithwatcheditsleep!');
    expect(sentence(4).replace(/ /g, '')).toBe('埃菲尔铁塔位于巴黎。');
    // The word starts of each document spell its words.
    const words = (d: number) => {
      const out: string[] = [];
      let cur: number[] = [];
      for (let p = valueAt(ds.docStarts, d); p < valueAt(ds.docStarts, d + 1) - ds.meta.separator.length; p++) {
        if (u.wordStart.subarray(p, p + 1)[0] && cur.length) { out.push(tok.decode(cur).replace(/ /g, '')); cur = []; }
        cur.push(ds.tokens.subarray(p, p + 1)[0]);
      }
      out.push(tok.decode(cur).replace(/ /g, ''));
      return out.filter((w) => w !== '');
    };
    expect(words(0)).toContain('unbelievable');
    expect(words(1)).toEqual(expect.arrayContaining(['巴黎', '法国', '首都', '位于', '垫子', '睡觉']));
    if (kind === 'wordpiece') {
      ds.tokens.subarray(0, ds.tokens.length).forEach((id, p) => { if (tok.idToToken(id)!.startsWith('##')) expect(u.wordStart.subarray(p, p + 1)[0]).toBe(0); });
    }
  });
}

test('tokenText maps every token to where its text starts', async () => {
  const tok = await trainTokenizer(docs, { kind: 'bpe', vocabSize: 300 });
  const ids = tok.encode(docs[1]);
  const { text, starts } = tokenText(tok, ids);
  expect(text).toBe(docs[1]);
  expect(starts[ids.length]).toBe(text.length);
  for (let i = 1; i <= ids.length; i++) expect(starts[i]).toBeGreaterThanOrEqual(starts[i - 1]);
});

test('a document longer than a segmentation piece keeps its words and sentences (segmented in pieces at sentence ends)', async () => {
  const long = '巴黎是法国的首都。埃菲尔铁塔位于巴黎。'.repeat(400); // 7,600 characters: two pieces or more
  const tok = await trainTokenizer([long], { kind: 'char', vocabSize: 1000 });
  const ids = tok.encode(long);
  const sep = tok.encode('\n\n');
  const tokens = Uint32Array.from([...ids, ...sep]);
  const ds: TokenDataset = {
    meta: { version: 1, key: 'k', corpusHash: 'c', tokenizerHash: tok.hash, dtype: 'uint32', vocabSize: tok.vocabSize, numTokens: tokens.length, numDocuments: 1, separator: sep, shards: [], labels: [] },
    tokens, docStarts: Float64Array.of(0, tokens.length), labels: null,
  };
  const u = textUnits(ds, tok);
  expect(u.sentStart.length).toBe(800);
  // Word starts repeat with the text's period (19 characters), before and after every piece's cut.
  const flags = u.wordStart.subarray(0, ids.length);
  for (let p = 19; p < ids.length; p++) expect(flags[p], `position ${p}`).toBe(flags[p - 19]);
  expect([...flags.subarray(0, 9)]).toEqual([1, 0, 1, 1, 0, 1, 1, 0, 1]); // 巴黎 是 法国 的 首都 。
});
