// BLEU and chrF while a seq2seq model trains: at each evaluation the first N pairs of the
// validation split (the same pairs every time) are translated greedily by the KV-cached decoder
// reading the live parameters, in batches (seq2seq-batch.ts), and scored as a corpus: sacreBLEU's
// BLEU (its zh tokenizer when the references are Chinese, else 13a) and chrF2 (src/engine/metrics).
// The values go into the evaluation's 'val' record as valBleu and valChrf. scripts/seq2seq-eval.ts
// scores a checkpoint with the same functions, so the two agree on the same parameters.
import type { DataSplit, TokenDataset } from '../data/index.ts';
import { Seq2SeqBatchDecoder } from '../generate/seq2seq-batch.ts';
import { frameSource, type Seq2SeqModel, translate } from '../generate/seq2seq-forward.ts';
import { type BleuTokenizer, corpusBleu } from '../metrics/bleu.ts';
import { corpusChrf } from '../metrics/chrf.ts';
import { SEP, type Seq2SeqTokenizers, sidesOf, type Tokenizer } from '../tokenizers/index.ts';
import { pairOf } from './seq2seq.ts';
import type { EvalScorer, ScorerArgs } from './types.ts';

/** The first `n` pairs of a split as text: what the encoder reads and what the decoder should write (each side decoded by its own tokenizer). */
export function heldOutPairs(ds: TokenDataset, split: DataSplit, tokenizers: Tokenizer | Seq2SeqTokenizers, n: number): { sources: string[]; references: string[] } {
  const { source: tok, target } = sidesOf(tokenizers);
  const sep = tok.tokenToId(SEP);
  if (sep === undefined) throw new Error(`seq2seq scoring needs the special token ${SEP}, which this tokenizer lacks`);
  const sources: string[] = [], references: string[] = [];
  for (const d of split.documents.subarray(0, n)) {
    const p = pairOf(ds, d, sep);
    sources.push(tok.decode([...p.source]));
    references.push(target.decode([...p.target]));
  }
  return { sources, references };
}

/**
 * Greedy translations of every source, decoded together in batches (seq2seq-batch.ts): the same
 * text as translateAll's greedy one-by-one decoding, in maxLength submits per batch.
 */
export async function translateBatch(dec: Seq2SeqBatchDecoder, tokenizers: Tokenizer | Seq2SeqTokenizers, sources: readonly string[], maxLength: number): Promise<string[]> {
  const { target } = sidesOf(tokenizers);
  const blockSize = dec.config.blockSize;
  const framed = sources.map((s) => frameSource(tokenizers, s, blockSize, 'cls-sep'));
  if (framed.length === 0) return [];
  const { cls, sep } = framed[0];
  const hyps = await dec.greedy(framed.map((f) => f.ids), { start: cls, eos: sep, maxLength: Math.min(maxLength, blockSize - 1) });
  return hyps.map((h) => target.decode(h.tokens.filter((t) => t !== sep)));
}

/** Greedy (beams 1) or beam-search translations of every source, one at a time, each at most maxLength tokens. */
export async function translateAll(fwd: Seq2SeqModel, tok: Tokenizer | Seq2SeqTokenizers, sources: readonly string[], maxLength: number, beams = 1): Promise<string[]> {
  const out: string[] = [];
  for (const source of sources) out.push((await translate(fwd, tok, source, { framing: 'cls-sep', maxLength, beams, lengthPenalty: 1 })).text);
  return out;
}

/** sacreBLEU's tokenizer for these references: 'zh' when any has a CJK ideograph, else '13a'. */
export function bleuTokenizerFor(references: readonly string[]): BleuTokenizer {
  return references.some((r) => /[\u4e00-\u9fa5]/u.test(r)) ? 'zh' : '13a';
}

/** Corpus BLEU and chrF2 of hypotheses against references (one reference each). */
export function translationScores(hypotheses: readonly string[], references: readonly string[]): { bleu: number; chrf: number; tokenize: BleuTokenizer } {
  const tokenize = bleuTokenizerFor(references);
  return { bleu: corpusBleu(hypotheses, references, { tokenize }).score, chrf: corpusChrf(hypotheses, references), tokenize };
}

export class Seq2SeqScorer implements EvalScorer {
  private fwd: Seq2SeqBatchDecoder | null = null;
  private readonly pairs: { sources: string[]; references: string[] };

  private get tokenizers(): Seq2SeqTokenizers {
    return { source: this.args.tokenizer, target: this.args.targetTokenizer ?? this.args.tokenizer };
  }

  constructor(private readonly args: ScorerArgs) {
    this.pairs = heldOutPairs(args.data.dataset, args.data.val, this.tokenizers, args.options.evalTranslations);
  }

  async score(): Promise<Record<string, number>> {
    const { ctx, layout, params } = this.args;
    if (this.pairs.sources.length === 0) return {};
    this.fwd ??= new Seq2SeqBatchDecoder(ctx, layout.config, params, layout);
    const hyps = await translateBatch(this.fwd, this.tokenizers, this.pairs.sources, layout.config.blockSize - 1);
    const { bleu, chrf } = translationScores(hyps, this.pairs.references);
    return { valBleu: bleu, valChrf: chrf };
  }

  destroy(): void {
    this.fwd?.destroy();
    this.fwd = null;
  }
}
