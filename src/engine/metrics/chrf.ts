// chrF (Popović 2015) as sacreBLEU 2.x computes it (sacrebleu/metrics/chrf.py, CHRF with
// word_order 0): character n-grams of orders 1..6 of the hypothesis and the reference, whitespace
// removed; per order the n-gram counts of each side and their clipped matches, summed over the
// corpus; then an F-beta score (beta 2 weighs recall higher) of
//   - the mean precision and recall over the orders both sides have ("effective order", the
//     default, as sacreBLEU < 2.0 and its CLI), or
//   - with epsSmoothing, the mean of each order's F-beta, an order with nothing counting 1e-16
//     (chrF++.py, Moses and NLTK; sacreBLEU's sentence_chrf uses it).
// Scores are 0–100. Tested against the values of sacreBLEU's own test suite (test_chrf.py).

export interface ChrfOptions {
  /** Character n-gram orders 1..charOrder (6). */
  charOrder?: number;
  /** Recall weight (2). */
  beta?: number;
  /** Per-order F averaged with epsilon for empty orders, instead of effective-order averaging (false). */
  epsSmoothing?: boolean;
  /** Keep whitespace inside the n-grams (false: removed first). */
  whitespace?: boolean;
}

function ngrams(chars: string[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= chars.length; i++) {
    const g = chars.slice(i, i + n).join('');
    m.set(g, (m.get(g) ?? 0) + 1);
  }
  return m;
}

/** Per order n: [hypothesis n-grams, reference n-grams, matches] for one sentence pair. */
export function chrfStatistics(hypothesis: string, reference: string, o: ChrfOptions = {}): number[] {
  const order = o.charOrder ?? 6;
  const prep = (s: string) => Array.from(o.whitespace ? s : s.replace(/\s+/gu, ''));
  const h = prep(hypothesis), r = prep(reference);
  const stats: number[] = [];
  for (let n = 1; n <= order; n++) {
    const hg = ngrams(h, n), rg = ngrams(r, n);
    let match = 0;
    for (const [g, c] of hg) match += Math.min(c, rg.get(g) ?? 0);
    stats.push(Math.max(h.length - n + 1, 0), Math.max(r.length - n + 1, 0), match);
  }
  return stats;
}

/** The score of summed statistics. */
export function chrfScore(stats: readonly number[], o: ChrfOptions = {}): number {
  const order = o.charOrder ?? 6;
  const factor = (o.beta ?? 2) ** 2;
  const eps = 1e-16;
  let score = 0, avgPrec = 0, avgRec = 0, effective = 0;
  for (let i = 0; i < order; i++) {
    const [nHyp, nRef, nMatch] = stats.slice(3 * i, 3 * i + 3);
    const prec = nHyp > 0 ? nMatch / nHyp : eps;
    const rec = nRef > 0 ? nMatch / nRef : eps;
    const denom = factor * prec + rec;
    score += denom > 0 ? ((1 + factor) * prec * rec) / denom : eps;
    if (nHyp > 0 && nRef > 0) { avgPrec += prec; avgRec += rec; effective++; }
  }
  if (o.epsSmoothing) return (100 * score) / order;
  if (effective === 0) return 0;
  avgPrec /= effective; avgRec /= effective;
  return avgPrec + avgRec > 0 ? (100 * (1 + factor) * avgPrec * avgRec) / (factor * avgPrec + avgRec) : 0;
}

/** Corpus chrF: statistics summed over the pairs, then scored. */
export function corpusChrf(hypotheses: readonly string[], references: readonly string[], o: ChrfOptions = {}): number {
  if (hypotheses.length !== references.length) throw new Error(`chrF: ${hypotheses.length} hypotheses but ${references.length} references`);
  const total = new Array<number>(3 * (o.charOrder ?? 6)).fill(0);
  hypotheses.forEach((h, i) => chrfStatistics(h, references[i], o).forEach((v, k) => (total[k] += v)));
  return chrfScore(total, o);
}
