// @vitest-environment happy-dom
import { afterEach, describe, expect, test } from 'vitest';
import BatchPreview from '../../../src/renderer/lib/tokens/BatchPreview.svelte';
import TokenChips from '../../../src/renderer/lib/tokens/TokenChips.svelte';
import { causalRow, type BatchRow } from '../../../src/renderer/lib/tokens/batch.ts';
import { byteLevelBytes, displayToken, type TokenView } from '../../../src/renderer/lib/tokens/tokenDisplay.ts';
import { render } from './mount.ts';

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});

/** GPT-2's byte-level spelling of a UTF-8 string (independent of the decoder under test). */
function byteLevelSpell(text: string): string {
  const printable = (b: number): boolean => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const map: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) map[b] = String.fromCodePoint(printable(b) ? b : 256 + n++);
  return [...new TextEncoder().encode(text)].map((b) => map[b]).join('');
}

describe('displayToken', () => {
  test('byte-level BPE: spaces visible, Chinese decoded, partial characters shown as bytes', () => {
    expect(byteLevelSpell(' 中')).toBe('Ġä¸Ń');
    expect(displayToken({ id: 1, text: byteLevelSpell(' the') }, 'byte-level')).toMatchObject({ label: '␣the', kind: 'normal' });
    expect(displayToken({ id: 2, text: byteLevelSpell('中文') }, 'byte-level').label).toBe('中文');
    expect(displayToken({ id: 3, text: byteLevelSpell('\n') }, 'byte-level').label).toBe('↵');
    const partial = byteLevelSpell('中').slice(0, 2); // first two of three UTF-8 bytes
    expect(displayToken({ id: 4, text: partial }, 'byte-level')).toMatchObject({ label: '⟨E4 B8⟩', kind: 'bytes' });
    expect(byteLevelBytes('中')).toBeNull(); // a real CJK character is not byte-level spelling
  });

  test('SentencePiece, WordPiece, byte fallback and specials', () => {
    expect(displayToken({ id: 5, text: '▁世界' }, 'sentencepiece').label).toBe('␣世界');
    expect(displayToken({ id: 6, text: '<0x0A>' }, 'sentencepiece').label).toBe('↵');
    expect(displayToken({ id: 7, text: '<0xE4>' }, 'sentencepiece')).toMatchObject({ label: '⟨E4⟩', kind: 'bytes' });
    expect(displayToken({ id: 8, text: '##ing' }, 'wordpiece')).toMatchObject({ label: 'ing', kind: 'continuation' });
    expect(displayToken({ id: 9, text: '[CLS]', special: true }, 'wordpiece')).toMatchObject({ label: '[CLS]', kind: 'special' });
    expect(displayToken({ id: 10, text: 'a b' }).title).toBe('"a b" · id 10');
  });
});

describe('TokenChips', () => {
  test('one chip per token in order, specials styled, Chinese shown', () => {
    const tokens: TokenView[] = [
      { id: 0, text: '[CLS]', special: true }, { id: 11, text: '我' }, { id: 12, text: '喜' }, { id: 13, text: '欢' },
      { id: 14, text: 'cat' }, { id: 15, text: '##s' }, { id: 1, text: '[SEP]', special: true },
    ];
    const r = render(TokenChips, { tokens, scheme: 'wordpiece', label: 'sentence tokens' });
    cleanup.push(r.destroy);
    const chips = [...r.target.querySelectorAll('.chip')];
    expect(chips.map((c) => c.querySelector('.text')?.textContent)).toEqual(['[CLS]', '我', '喜', '欢', 'cat', 's', '[SEP]']);
    expect(chips.map((c) => c.getAttribute('data-kind'))).toEqual(['special', 'normal', 'normal', 'normal', 'normal', 'continuation', 'special']);
    expect(r.target.querySelector('ol')?.getAttribute('aria-label')).toBe('sentence tokens (7)');
  });
});

describe('BatchPreview', () => {
  const t = (id: number, text: string, special = false): TokenView => ({ id, text, special });

  test('causal LM: each input has the next token under it', () => {
    const window = [t(0, '<s>', true), t(1, '我'), t(2, '喜欢'), t(3, '猫'), t(4, '。')];
    const r = render(BatchPreview, { rows: [causalRow(window)] });
    cleanup.push(r.destroy);
    const row = (cls: string) => [...r.target.querySelectorAll(`tr.${cls} .chip .text`)].map((c) => c.textContent);
    expect(row('inputs')).toEqual(['<s>', '我', '喜欢', '猫']);
    expect(row('targets')).toEqual(['我', '喜欢', '猫', '。']);
  });

  test('masked LM highlights selected positions with the original under them; T5 shows sentinels', () => {
    const rows: BatchRow[] = [
      {
        kind: 'mlm',
        inputs: [t(0, '[CLS]', true), { ...t(9, '[MASK]', true), mark: 'mask' }, t(2, '欢'), { ...t(7, 'dog'), mark: 'random' }, t(1, '[SEP]', true)],
        labels: [null, t(1, '喜'), null, t(3, '猫'), null],
        nsp: { isNext: true },
      },
      {
        kind: 'denoise',
        inputs: [t(1, 'The'), { ...t(100, '<extra_id_0>', true), mark: 'sentinel' }, t(4, 'sat')],
        targets: [{ ...t(100, '<extra_id_0>', true), mark: 'sentinel' }, t(2, 'cat'), t(5, '</s>', true)],
      },
    ];
    const r = render(BatchPreview, { rows });
    cleanup.push(r.destroy);
    const [mlm, denoise] = [...r.target.querySelectorAll('.example')];
    expect([...mlm.querySelectorAll('tr.inputs .chip')].map((c) => c.getAttribute('data-mark'))).toEqual([null, 'mask', null, 'random', null]);
    expect([...mlm.querySelectorAll('tr.targets .chip .text')].map((c) => c.textContent)).toEqual(['喜', '猫']);
    expect(mlm.querySelector('h4')?.textContent).toContain('next sentence: yes');
    expect([...denoise.querySelectorAll('.inputs .chip[data-mark="sentinel"] .text')].map((c) => c.textContent)).toEqual(['<extra_id_0>']);
    expect([...denoise.querySelectorAll('.targets .chip .text')].map((c) => c.textContent)).toEqual(['<extra_id_0>', 'cat', '</s>']);
  });

  test('an empty batch says so', () => {
    const r = render(BatchPreview, { rows: [] });
    cleanup.push(r.destroy);
    expect(r.target.textContent).toContain('No batch to show yet.');
    expect(() => causalRow([t(1, 'a')])).toThrow(/at least 2 tokens, got 1/);
  });
});
