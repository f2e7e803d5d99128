import { expect, test } from 'vitest';
import { splitSentences } from '../../../src/engine/data';

test('English: . ! ? with closing quotes; decimals and inner dots stay', () => {
  expect(splitSentences('The cat sat on the mat. "Where is the key?" she asked. Pi is 3.14! Ok'))
    .toEqual(['The cat sat on the mat.', '"Where is the key?"', 'she asked.', 'Pi is 3.14!', 'Ok']);
});

test('Chinese: 。！？； end sentences without spaces; closing quotes stay attached', () => {
  expect(splitSentences('猫在垫子上睡觉。“钥匙在哪里？”她问。天气很好！'))
    .toEqual(['猫在垫子上睡觉。', '“钥匙在哪里？”', '她问。', '天气很好！']);
});

test('mixed text and newlines; nothing lost but whitespace', () => {
  const text = 'Line one\nLine two. 第二句。\n\nLast';
  const s = splitSentences(text);
  expect(s).toEqual(['Line one', 'Line two.', '第二句。', 'Last']);
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
