// BLEU against the expected values of sacreBLEU's own test suite (mjpost/sacrebleu,
// test/test_sentence_bleu.py: smoothings, tokenizers, lowercasing; sentence scores use effective
// order), and the zh tokenizer's CJK splitting.
import { expect, test } from 'vitest';
import { bleuTokenize, corpusBleu, type BleuOptions } from '../../../src/engine/metrics/bleu';

const REF = 'producţia de zahăr brut se exprimă în zahăr alb;';
const SYS = 'Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;';

test("sacreBLEU's sentence BLEU cases within 1e-3", () => {
  const cases: [BleuOptions, number][] = [
    [{ smooth: 'exp' }, 8.493],
    [{ smooth: 'none' }, 0.0],
    [{ smooth: 'floor' }, 4.51688],
    [{ smooth: 'floor', smoothValue: 0.1 }, 4.51688],
    [{ smooth: 'floor', smoothValue: 0.5 }, 10.10],
    [{ smooth: 'add-k' }, 14.882],
    [{ smooth: 'add-k', smoothValue: 2 }, 21.389],
    [{ smooth: 'exp', tokenize: 'none' }, 7.347],
    [{ smooth: 'exp', tokenize: 'char' }, 40.8759],
    [{ smooth: 'exp', tokenize: 'char', lowercase: true }, 42.0267],
  ];
  for (const [o, want] of cases) expect(Math.abs(corpusBleu([SYS], [REF], { ...o, effectiveOrder: true }).score - want), JSON.stringify(o)).toBeLessThan(1e-3);
  for (const smooth of ['exp', 'none', 'floor', 'add-k'] as const) expect(corpusBleu(['this is a cat'], ['okay thanks'], { smooth, effectiveOrder: true }).score).toBeLessThan(1e-3);
});

test('13a splits punctuation but not decimals; zh makes each CJK character a word; identical text scores 100', () => {
  expect(bleuTokenize('Hello, world. It costs 3.50 - or 4-5!', '13a')).toBe('Hello , world . It costs 3.50 - or 4 - 5 !');
  expect(bleuTokenize('我有3只猫。OK, fine.', 'zh')).toBe('我 有 3 只 猫 。 OK , fine .');
  expect(corpusBleu(['我有三只猫。', '他们走了。'], ['我有三只猫。', '他们走了。'], { tokenize: 'zh' }).score).toBeCloseTo(100, 10);
  expect(() => corpusBleu(['a'], [])).toThrow(/1 hypotheses but 0 references/);
});
