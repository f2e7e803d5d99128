// Past --tokenizerSampleMB, BPE and WordPiece train on 1 document in k (bounded memory); a char
// tokenizer always reads everything, so no character is missing from its vocabulary.
import { expect, test } from 'vitest';
import { everyNth, tokenizerSampleEvery } from '../../../src/engine/data/tokenizer-sample';

test('the sample rate: all of a corpus within the budget, 1 in k past it, never for char', () => {
  expect(tokenizerSampleEvery({ tokenizer: 'bpe', tokenizerSampleMB: 64 }, 20e6)).toBe(1);
  expect(tokenizerSampleEvery({ tokenizer: 'bpe', tokenizerSampleMB: 64 }, 64e6)).toBe(1);
  expect(tokenizerSampleEvery({ tokenizer: 'bpe', tokenizerSampleMB: 64 }, 101.8e6)).toBe(2);
  expect(tokenizerSampleEvery({ tokenizer: 'wordpiece', tokenizerSampleMB: 16 }, 1e9)).toBe(63);
  expect(tokenizerSampleEvery({ tokenizer: 'char', tokenizerSampleMB: 1 }, 1e9)).toBe(1);
});

test('1 document in k, from the first, in order', async () => {
  async function* docs(): AsyncGenerator<string> {
    for (let i = 0; i < 10; i++) yield `d${i}`;
  }
  const take = async (k: number) => {
    const out: string[] = [];
    for await (const t of everyNth(docs(), k)) out.push(t);
    return out;
  };
  expect(await take(1)).toEqual(Array.from({ length: 10 }, (_, i) => `d${i}`));
  expect(await take(3)).toEqual(['d0', 'd3', 'd6', 'd9']);
});
