// What the trainers promise: vocabulary sizes, special-token ids, nanoGPT's char vocabulary,
// BERT's one-token-per-Chinese-character, frequent words merged, and clear errors.
import { describe, expect, test } from 'vitest';
import { trainTokenizer, specialTokenList, Tokenizer } from '../../../src/engine/tokenizers';

const english = Array.from({ length: 200 }, (_, i) => `the cat sat on the mat ${i % 7} times; the dog ran to the park.`);
const chinese = Array.from({ length: 100 }, (_, i) => `猫在垫子上睡觉，狗在公园里跑了${i % 5}圈。`);

describe('special tokens', () => {
  test('defaults: BERT tokens, <|endoftext|>, 16 sentinels, at ids 0..k-1 for every kind', async () => {
    const specials = specialTokenList();
    expect(specials.slice(0, 6)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '<|endoftext|>']);
    expect(specials.at(-1)).toBe('<extra_id_15>');
    for (const kind of ['char', 'bpe', 'wordpiece'] as const) {
      const tok = await trainTokenizer(english, { kind, vocabSize: 400 });
      specials.forEach((s, i) => expect(tok.tokenToId(s), `${kind} ${s}`).toBe(i));
      expect(tok.encode('<extra_id_3>')).toEqual([specials.indexOf('<extra_id_3>')]);
    }
  });

  test('sentinel count is configurable', async () => {
    const tok = await trainTokenizer(english, { kind: 'bpe', vocabSize: 400, specials: { sentinels: 100 } });
    expect(tok.tokenToId('<extra_id_99>')).toBe(105);
    expect(tok.tokenToId('<extra_id_100>')).toBeUndefined();
  });
});

test('char with no specials is nanoGPT\'s sorted(set(text)) vocabulary', async () => {
  const text = 'First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.';
  const tok = await trainTokenizer([text], { kind: 'char', vocabSize: 1000, specials: [] });
  const expected = [...new Set(text)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  expect(tok.vocabSize).toBe(expected.length);
  expect(tok.encode(text)).toEqual([...text].map((c) => expected.indexOf(c)));
  expect(tok.decode(tok.encode(text))).toBe(text);
});

test('char keeps the most frequent characters when the vocabulary is small', async () => {
  const tok = await trainTokenizer(['aaaaabbbbcccdde'], { kind: 'char', vocabSize: 4 + 5, specials: { sentinels: 0, eos: false } });
  // 5 specials, the document separator '\n' (always kept), then the 3 most frequent characters;
  // 'd' and 'e' become [UNK].
  expect(tok.vocabSize).toBe(9);
  expect(tok.decode(tok.encode('abcde\n'))).toBe('abc[UNK][UNK]\n');
});

test('char keeps the newline even when the corpus has none, so documents stay separated', async () => {
  const tok = await trainTokenizer(['猫在垫子上睡觉', 'The cat sat'], { kind: 'char', vocabSize: 1000, specials: [] });
  expect(tok.encode('\n\n')).toHaveLength(2);
  expect(tok.decode(tok.encode('\n'))).toBe('\n');
});

test('byte-level BPE reaches the requested size and merges frequent words whole', async () => {
  const tok = await trainTokenizer(english, { kind: "bpe", vocabSize: 22 + 256 + 20 });
  expect(tok.vocabSize).toBe(22 + 256 + 20);
  expect(tok.encode(' the')).toHaveLength(1); // 'Ġthe' learned
  expect(tok.encode('the cat sat on the mat').length).toBeLessThan(10);
});

test('byte-level BPE stops early on a tiny corpus rather than inventing merges', async () => {
  const tok = await trainTokenizer(['ab ab'], { kind: 'bpe', vocabSize: 5000 });
  expect(tok.vocabSize).toBeLessThan(300);
});

test('WordPiece splits Chinese one character per token and uses ## continuations', async () => {
  const tok = await trainTokenizer([...english, ...chinese], { kind: 'wordpiece', vocabSize: 300 });
  const ids = tok.encode('猫在垫子上睡觉');
  expect(ids.map((i) => tok.idToToken(i))).toEqual(['猫', '在', '垫', '子', '上', '睡', '觉']);
  const pieces = tok.encode('parks').map((i) => tok.idToToken(i)!);
  expect(pieces.join('').replaceAll('##', '')).toBe('parks');
  expect(pieces.slice(1).every((p) => p.startsWith('##'))).toBe(true);
  expect(tok.encodeWithSpecials('猫', '狗').ids).toEqual([2, tok.tokenToId('猫'), 3, tok.tokenToId('狗'), 3]);
});

test('vocabulary too small for the specials (or the 256 bytes) is refused with the numbers', async () => {
  await expect(trainTokenizer(english, { kind: 'char', vocabSize: 10 })).rejects.toThrow(/vocabSize 10 .* 22 special/);
  await expect(trainTokenizer(english, { kind: 'bpe', vocabSize: 100 })).rejects.toThrow(/specials \+ 256 bytes = 278/);
});

test('a tokenizer.json we did not write is refused clearly', () => {
  expect(() => Tokenizer.fromString(JSON.stringify({ model: { type: 'Unigram', vocab: [] }, pre_tokenizer: null, added_tokens: [] })))
    .toThrow(/unsupported tokenizer.json/);
});

test('training yields to the event loop (a timer fires while a big corpus is counted)', async () => {
  const big = Array.from({ length: 20000 }, (_, i) => `document ${i} about cats, dogs and 猫${i % 97}`);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  await trainTokenizer(big, { kind: 'bpe', vocabSize: 600 });
  clearInterval(timer);
  expect(ticks).toBeGreaterThan(0);
});
