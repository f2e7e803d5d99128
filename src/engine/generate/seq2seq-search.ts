// Decoding an encoder-decoder: greedy and beam search over a `next` function that returns each
// prefix's log-probabilities for the next token (seq2seq-forward.ts runs the model for it).
// Beam search is Hugging Face's BeamSearchScorer with early_stopping=True:
//   each step, every live beam's score + log p(v) is a candidate; the best 2·width candidates are
//   taken in order: an EOS among the first `width` of them finishes a hypothesis (scored
//   sum log p / generated_length ** lengthPenalty, EOS counted), others become the next beams
//   until there are `width`; search stops once `width` hypotheses are finished, or at maxLength
//   (live beams are then finished as they are). Ties go to the earlier beam, then the lower id.
// scripts/goldens/make_beam.py is the same search in Python over the PyTorch golden BART
// (tests/unit/generate/seq2seq-search.test.ts compares them).

/** Log-probabilities for the next token of each prefix (prefix[0] is the decoder start). */
export type NextLogProbs = (prefixes: readonly (readonly number[])[]) => Promise<Float64Array[]>;

export interface SearchOptions {
  /** The decoder's start token (BART: <s>, here [CLS]). */
  start: number;
  eos: number;
  /** Most tokens generated (EOS included). */
  maxLength: number;
  /** Beam width (1: greedy). */
  beams?: number;
  /** Exponent of the length in the score's denominator (1: mean log-prob; 0: plain sum). */
  lengthPenalty?: number;
}

export interface Hypothesis {
  /** Generated tokens, without the start token (ending in EOS unless cut at maxLength). */
  tokens: number[];
  /** Sum of the tokens' log-probabilities. */
  score: number;
  /** score / tokens.length ** lengthPenalty. */
  normalized: number;
}

/** log_softmax in float64. */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  let z = 0;
  for (let i = 0; i < logits.length; i++) z += Math.exp(logits[i] - max);
  const lz = max + Math.log(z);
  return Float64Array.from({ length: logits.length }, (_, i) => logits[i] - lz);
}

function check(o: SearchOptions): void {
  if (!Number.isInteger(o.maxLength) || o.maxLength < 1) throw new Error(`decode: maxLength must be a whole number >= 1; got ${o.maxLength}`);
  const w = o.beams ?? 1;
  if (!Number.isInteger(w) || w < 1) throw new Error(`decode: beams must be a whole number >= 1; got ${w}`);
}

/** The most likely token at each step until EOS or maxLength. */
export async function greedySearch(next: NextLogProbs, o: SearchOptions): Promise<Hypothesis> {
  check(o);
  const tokens: number[] = [];
  let score = 0;
  while (tokens.length < o.maxLength) {
    const [lp] = await next([[o.start, ...tokens]]);
    let best = 0;
    for (let v = 1; v < lp.length; v++) if (lp[v] > lp[best]) best = v;
    tokens.push(best);
    score += lp[best];
    if (best === o.eos) break;
  }
  return { tokens, score, normalized: score / tokens.length ** (o.lengthPenalty ?? 1) };
}

/** Finished hypotheses, best (normalized) first. */
export async function beamSearch(next: NextLogProbs, o: SearchOptions): Promise<Hypothesis[]> {
  check(o);
  const width = o.beams ?? 1;
  const alpha = o.lengthPenalty ?? 1;
  const finish = (tokens: number[], score: number): Hypothesis => ({ tokens, score, normalized: score / tokens.length ** alpha });
  let beams: { tokens: number[]; score: number }[] = [{ tokens: [], score: 0 }];
  const finished: Hypothesis[] = [];
  for (let step = 1; step <= o.maxLength; step++) {
    const lps = await next(beams.map((b) => [o.start, ...b.tokens]));
    const cands: { score: number; beam: number; v: number }[] = [];
    beams.forEach((b, i) => lps[i].forEach((lp, v) => cands.push({ score: b.score + lp, beam: i, v })));
    cands.sort((a, b) => b.score - a.score || a.beam - b.beam || a.v - b.v);
    const live: { tokens: number[]; score: number }[] = [];
    for (let rank = 0; rank < Math.min(2 * width, cands.length) && live.length < width; rank++) {
      const c = cands[rank];
      const tokens = [...beams[c.beam].tokens, c.v];
      if (c.v === o.eos) { if (rank < width) finished.push(finish(tokens, c.score)); } else live.push({ tokens, score: c.score });
    }
    if (finished.length >= width) break;
    beams = live;
    if (step === o.maxLength) for (const b of beams) finished.push(finish(b.tokens, b.score));
  }
  // A stable sort: equal scores keep the order they finished in.
  return finished.map((h, i) => ({ h, i })).sort((a, b) => b.h.normalized - a.h.normalized || a.i - b.i).map((x) => x.h);
}
