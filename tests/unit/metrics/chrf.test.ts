// chrF against the expected values of sacreBLEU's own test suite (mjpost/sacrebleu,
// test/test_chrf.py): corpus chrF with beta 3 with and without epsilon smoothing, with whitespace
// kept, and sentence chrF (beta 2, epsilon smoothing). sacreBLEU checks them within 1e-4.
import { expect, test } from 'vitest';
import { corpusChrf } from '../../../src/engine/metrics/chrf';

const EPS = 1e-4;

test("sacreBLEU's test_chrf cases (beta 3, epsilon smoothing)", () => {
  const cases: [string[], string[], number][] = [
    [['abcdefg'], ['hijklmnop'], 0.0],
    [['a'], ['b'], 0.0],
    [[''], ['b'], 0.0],
    [[''], ['ref'], 0.0],
    [[''], ['reference'], 0.0],
    [['aa'], ['ab'], 8.3333],
    [['a', 'b'], ['a', 'c'], 8.3333],
    [['a'], ['a'], 16.6667],
    [['a b c'], ['a b c'], 50.0],
    [['a b c'], ['abc'], 50.0],
    [[' risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .'],
      ['risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .'], 63.361730],
    [[' Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. '],
      ['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.'], 64.1302698],
    [['Niemand hat die Absicht, eine Mauer zu errichten'], ['Niemand hat die Absicht, eine Mauer zu errichten'], 100.0],
  ];
  for (const [h, r, want] of cases) expect(Math.abs(corpusChrf(h, r, { beta: 3, epsSmoothing: true }) - want), `${h} | ${r}`).toBeLessThan(EPS);
});

test("sacreBLEU's effective-order cases (its < 2.0 default) and whitespace kept", () => {
  const cases: [string[], string[], number][] = [
    [['a'], ['a'], 100.0],
    [[''], ['reference'], 0.0],
    [['a b c'], ['a b c'], 100.0],
    [['a b c'], ['abc'], 100.0],
    [[''], ['c'], 0.0],
    [['a', 'b'], ['a', 'c'], 50.0],
    [['aa'], ['ab'], 25.0],
  ];
  for (const [h, r, want] of cases) expect(Math.abs(corpusChrf(h, r, { beta: 3 }) - want), `${h} | ${r}`).toBeLessThan(EPS);
  const kept: [string, string, number][] = [
    ['Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich.', 'Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.', 67.3481606],
    ['risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .',
      'risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .', 65.2414427],
  ];
  for (const [h, r, want] of kept) expect(Math.abs(corpusChrf([h], [r], { beta: 3, whitespace: true }) - want)).toBeLessThan(EPS);
});

test("sacreBLEU's sentence chrF cases (beta 2, epsilon smoothing)", () => {
  const cases: [string, string, number][] = [
    ['Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.', 'Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.', 39.14078509],
    ['Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.', 'A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři.', 31.22557079],
    ['Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.', 'Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.', 57.15704367],
  ];
  for (const [h, r, want] of cases) expect(Math.abs(corpusChrf([h], [r], { epsSmoothing: true }) - want)).toBeLessThan(EPS);
  expect(() => corpusChrf(['a'], [])).toThrow(/1 hypotheses but 0 references/);
});
