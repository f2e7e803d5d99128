// The next-token log-probabilities of an encoder-decoder for seq2seq-search.ts: one forward pass
// of the training graph (BartGraph, no backward recorded) over [CLS] source [SEP] and every live
// prefix as a row of the batch, reading the logits at each prefix's last position. There is no
// KV cache: each step runs the encoder and the whole decoder prefix again (cost ∝ length²).
// seq2seq-decoder.ts is the cached decoder that generation uses; this is its reference.
import type { GpuContext } from '../gpu/device';
import { Recorder } from '../gpu/kernel';
import { Tensor } from '../gpu/tensor';
import { BartGraph } from '../model/bart';
import { decoderVocabSize, type ModelConfig } from '../model/config';
import { buildParamLayout, type ParamLayout } from '../model/params';
import { CLS, SEP, type Seq2SeqTokenizers, sidesOf, type Tokenizer } from '../tokenizers';
import { beamSearch, greedySearch, logSoftmax, type Hypothesis, type NextLogProbs } from './seq2seq-search';

const IGNORE = 0xffffffff;

/** What translate() needs of a model: seq2seq-decoder.ts (cached) or Seq2SeqForward below. */
export interface Seq2SeqModel {
  readonly config: ModelConfig;
  nextFor(source: readonly number[], maxPrefix: number): NextLogProbs;
}

export class Seq2SeqForward implements Seq2SeqModel {
  readonly layout: ParamLayout;
  private readonly params: Tensor;
  private readonly ownsParams: boolean;
  private graph: { graph: BartGraph; B: number; Ts: number; Tt: number } | null = null;

  /**
   * `weights`: a flat parameter vector (uploaded to a buffer this object owns), or a live
   * parameter tensor of `layout` that is only read (a training run's, for its probes).
   */
  constructor(readonly ctx: GpuContext, readonly config: ModelConfig, weights: Float32Array | Tensor, layout?: ParamLayout) {
    if (config.kind !== 'encoder-decoder') throw new Error(`seq2seq decoding needs an encoder-decoder; this model is a '${config.kind}'`);
    this.layout = layout ?? buildParamLayout(config);
    if (weights instanceof Float32Array) {
      if (weights.length !== this.layout.totalFloats) throw new Error(`seq2seq decoding: ${weights.length} parameters given, the model has ${this.layout.totalFloats}`);
      this.params = Tensor.empty(ctx, [this.layout.totalFloats], 'f32', 'seq2seq.params');
      this.params.write(weights);
      this.ownsParams = true;
    } else {
      this.params = weights;
      this.ownsParams = false;
    }
  }

  /** `next` for the search: the encoder reads `source` (ids, specials included), rows are prefixes. */
  nextFor(source: readonly number[], maxPrefix: number): NextLogProbs {
    const Ts = source.length;
    const Tt = maxPrefix;
    if (Ts > this.config.blockSize) throw new Error(`the source is ${Ts} tokens with [CLS] and [SEP]; the model reads at most ${this.config.blockSize}`);
    if (Tt > this.config.blockSize) throw new Error(`maxLength ${Tt - 1} needs ${Tt} decoder positions; the model has ${this.config.blockSize}`);
    const V = decoderVocabSize(this.config); // the logits score the decoder's (target) vocabulary
    return async (prefixes) => {
      const B = prefixes.length;
      const g = this.graphFor(B, Ts, Tt);
      const src = new Uint32Array(B * Ts);
      const dec = new Uint32Array(B * Tt);
      prefixes.forEach((p, b) => {
        if (p.length > Tt) throw new Error(`seq2seq decoding: a prefix of ${p.length} tokens exceeds ${Tt}`);
        src.set(source, b * Ts);
        dec.set(p, b * Tt);
      });
      g.inputs.input_ids.write(src);
      g.inputs.kvLen.write(new Uint32Array(B).fill(Ts));
      g.inputs.decoder_input_ids.write(dec);
      g.inputs.labels.write(new Uint32Array(B * Tt).fill(IGNORE));
      const rec = new Recorder(this.ctx);
      try {
        g.forward(rec, false);
        await rec.run();
      } finally {
        rec.destroy();
      }
      const logits = await g.logits.read();
      return prefixes.map((p, b) => logSoftmax(logits.subarray((b * Tt + p.length - 1) * V, (b * Tt + p.length) * V)));
    };
  }

  private graphFor(B: number, Ts: number, Tt: number): BartGraph {
    const c = this.graph;
    if (c && c.B === B && c.Ts === Ts && c.Tt === Tt) return c.graph;
    c?.graph.destroy();
    // Forward only: the parameters stand in for the gradient buffer (only views are taken of it).
    const graph = new BartGraph(this.ctx, this.layout, this.params, this.params, { batchSize: B, seqLen: Ts, targetLen: Tt });
    this.graph = { graph, B, Ts, Tt };
    return graph;
  }

  destroy(): void {
    this.graph?.graph.destroy();
    this.graph = null;
    if (this.ownsParams) this.params.destroy();
  }
}

export interface TranslateOptions {
  /**
   * How the encoder saw its input in training: '[CLS] source [SEP]' (bart, seq2seq) or
   * 'source [SEP]' (t5-span: T5 appends EOS only).
   */
  framing: 'cls-sep' | 'sep';
  /** Most tokens generated (EOS included). */
  maxLength: number;
  /** Beam width; 1 = greedy. */
  beams: number;
  lengthPenalty: number;
}

export interface Translation {
  text: string;
  /** The encoder's input ids, framed as in training (specials included, cut to the context). */
  source: number[];
  /** Every finished hypothesis, best first (one for greedy). */
  hypotheses: (Hypothesis & { text: string })[];
}

/** `source` as the encoder read it in training (source tokenizer, cut to the context), and the framing ids. */
export function frameSource(tokenizers: Tokenizer | Seq2SeqTokenizers, source: string, blockSize: number, framing: TranslateOptions['framing']): { ids: number[]; cls: number; sep: number } {
  const tok = sidesOf(tokenizers).source;
  const id = (t: string) => {
    const v = tok.tokenToId(t);
    if (v === undefined) throw new Error(`seq2seq decoding: the tokenizer has no ${t} token`);
    return v;
  };
  const cls = id(CLS), sep = id(SEP);
  const lead = framing === 'cls-sep' ? [cls] : [];
  return { ids: [...lead, ...tok.encode(source).slice(0, blockSize - 1 - lead.length), sep], cls, sep };
}

/**
 * Encodes `source` as training framed it (with the source tokenizer), decodes greedily or by beam
 * search, and detokenizes (with the target tokenizer). The specials have one id on both sides.
 */
export async function translate(fwd: Seq2SeqModel, tokenizers: Tokenizer | Seq2SeqTokenizers, source: string, o: TranslateOptions): Promise<Translation> {
  const { target } = sidesOf(tokenizers);
  const { ids, cls, sep } = frameSource(tokenizers, source, fwd.config.blockSize, o.framing);
  const maxLength = Math.min(o.maxLength, fwd.config.blockSize - 1);
  const next = fwd.nextFor(ids, maxLength + 1);
  const search = { start: cls, eos: sep, maxLength, beams: o.beams, lengthPenalty: o.lengthPenalty };
  const hyps = o.beams > 1 ? await beamSearch(next, search) : [await greedySearch(next, search)];
  const withText = hyps.map((h) => ({ ...h, text: target.decode(h.tokens.filter((t) => t !== sep)) }));
  return { text: withText[0].text, source: ids, hypotheses: withText };
}
