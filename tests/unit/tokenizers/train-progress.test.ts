// Tokenizer training reports a real fraction (words counted, then merges done of those planned):
// never decreasing, ending at 1, moving through the middle rather than jumping from 0 to 1; and
// stops when its signal aborts.
import { expect, test } from 'vitest';
import { trainTokenizer } from '../../../src/engine/tokenizers';

/** Varied words (a seeded generator of syllables), so merges have work to do. */
function corpus(docs: number): string[] {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'su', 'ta', 'ri', 'po', 'an', 'el', 'or', 'us', '猫', '狗', '公园'];
  let s = 12345;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: docs }, () => Array.from({ length: 40 }, () => Array.from({ length: 1 + Math.floor(next() * 4) }, () => syllables[Math.floor(next() * syllables.length)]).join('')).join(' '));
}

const texts = corpus(600);
const chars = texts.reduce((n, t) => n + t.length, 0);

for (const kind of ['char', 'bpe', 'wordpiece'] as const) {
  test(`${kind}: the fraction never decreases, passes through the middle and reaches 1`, async () => {
    const seen: number[] = [];
    const tok = await trainTokenizer(texts, { kind, vocabSize: kind === 'char' ? 1000 : 600, specials: [] }, { expectedChars: chars, onProgress: (f) => seen.push(f) });
    expect(tok.vocabSize).toBeGreaterThan(10);
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i], `update ${i}`).toBeGreaterThan(seen[i - 1]);
    for (const f of seen) expect(f >= 0 && f <= 1).toBe(true);
    // Several steps between 0 and 1, in both halves: a real fraction, not 0 then 1.
    expect(seen.filter((f) => f > 0 && f < 0.5).length).toBeGreaterThan(3);
    expect(seen.filter((f) => f >= 0.5 && f < 1).length).toBeGreaterThan(3);
    // Few enough updates for a progress event each.
    expect(seen.length).toBeLessThanOrEqual(202);
  });
}

test('the same tokenizer with and without progress hooks', async () => {
  const opts = { kind: 'bpe' as const, vocabSize: 500, specials: [] };
  const a = await trainTokenizer(texts, opts);
  const b = await trainTokenizer(texts, opts, { expectedChars: chars, onProgress: () => {} });
  expect(b.hash).toBe(a.hash);
});

test('an aborted signal stops training, during counting or merging', async () => {
  for (const at of [0.1, 0.7]) {
    const ac = new AbortController();
    const seen: number[] = [];
    const training = trainTokenizer(texts, { kind: 'bpe', vocabSize: 800, specials: [] }, {
      expectedChars: chars, signal: ac.signal,
      onProgress: (f) => { seen.push(f); if (f >= at) ac.abort(); },
    });
    await expect(training).rejects.toThrow(/abort/i);
    expect(seen.at(-1)).toBeLessThan(1);
  }
});
