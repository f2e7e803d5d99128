import { expect, test } from 'vitest';
import { sentenceEnds, splitSentences } from '../../../src/engine/data/sentences';

test('English: . ! ? with closing quotes; decimals and inner dots stay', () => {
  expect(splitSentences('The cat sat on the mat. "Where is the key?" she asked. Pi is 3.14! Ok'))
    .toEqual(['The cat sat on the mat.', '"Where is the key?" she asked.', 'Pi is 3.14!', 'Ok']);
});

test('English abbreviations, initials and lower-case continuations do not end a sentence', () => {
  expect(splitSentences('Mr. Smith met Dr. Watson at 3 p.m. on Baker St. in London. They talked, e.g. about J. R. R. Tolkien. Then they left.'))
    .toEqual(['Mr. Smith met Dr. Watson at 3 p.m. on Baker St. in London.', 'They talked, e.g. about J. R. R. Tolkien.', 'Then they left.']);
});

test('ellipses: before a capital they end a sentence, before lower case they pause', () => {
  expect(splitSentences('I waited... and waited… Nobody came. Then… Silence...'))
    .toEqual(['I waited... and waited…', 'Nobody came.', 'Then…', 'Silence...']);
});

test('numbered and bulleted lists: each item is a sentence, its number is not a stop', () => {
  expect(splitSentences('Steps:\n1. Heat the pan\n2. Add oil.\n- Serve hot\n\nDone'))
    .toEqual(['Steps:', '1. Heat the pan', '2. Add oil.', '- Serve hot', 'Done']);
});

test('Chinese: 。！？；… end sentences without spaces; closing quotes and brackets stay attached', () => {
  expect(splitSentences('猫在垫子上睡觉。“钥匙在哪里？”她问。天气很好！宝玉道：“我……”黛玉笑了；（真的。）好'))
    .toEqual(['猫在垫子上睡觉。', '“钥匙在哪里？”', '她问。', '天气很好！', '宝玉道：“我……”', '黛玉笑了；', '（真的。）', '好']);
});

test('no stop at the end: the last sentence is kept; ends never include the text end', () => {
  const text = 'First one. Second without a stop';
  expect(splitSentences(text)).toEqual(['First one.', 'Second without a stop']);
  expect(sentenceEnds(text)).toEqual([10]);
  expect(sentenceEnds('只有一句。')).toEqual([]);
});

test('mixed text and newlines; nothing lost but whitespace; a single newline is not a stop (verse)', () => {
  const text = 'Line one\nLine two. 第二句。\n\nLast';
  const s = splitSentences(text);
  expect(s).toEqual(['Line one\nLine two.', '第二句。', 'Last']);
  expect(s.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
});

test('every sample-corpus paragraph has at least 3 sentences (a quoted question counts apart)', async () => {
  const { readFileSync } = await import('node:fs');
  for (const name of ['sample-en.txt', 'sample-zh.txt']) {
    const paras = readFileSync(new URL(`../../../assets/sample-corpus/${name}`, import.meta.url), 'utf8').trim().split('\n\n');
    const counts = paras.map((p) => splitSentences(p).length);
    expect(Math.min(...counts), name).toBeGreaterThanOrEqual(3);
    expect(Math.max(...counts), name).toBeLessThanOrEqual(14);
  }
  expect(splitSentences('The cat sat on the mat. It was warm and quiet, so it slept there all afternoon. When the sun went down, the cat woke up and looked for its dinner.')).toHaveLength(3);
});
