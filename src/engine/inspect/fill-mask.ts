// Fill-mask and next-sentence probability for a BERT-style encoder: one forward pass of the
// training graph (no backward is ever recorded) over [CLS] text [SEP] (or [CLS] A [SEP] B [SEP]),
// then a softmax over the vocabulary at each [MASK] position, on the CPU in float64: only the
// masked rows are read back, and top-k of a few rows does not pay for a kernel.
import type { GpuContext } from '../gpu/device';
import { inferenceForward } from './inference';
import { Tensor } from '../gpu/tensor';
import { BertGraph } from '../model/bert';
import type { ModelConfig } from '../model/config';
import { buildParamLayout, type ParamLayout } from '../model/params';
import { CLS, MASK, SEP, type Tokenizer } from '../tokenizers';
import { softmax64 } from '../generate/next-token';

/** Labels at or past the vocabulary are ignored by the losses the forward pass also computes. */

export interface MaskCandidate {
  id: number;
  token: string;
  /** The candidate as text (a WordPiece "##" continuation without its marks). */
  text: string;
  probability: number;
}

export interface MaskPrediction {
  /** Position of the [MASK] in the encoded row ([CLS] is 0). */
  position: number;
  candidates: MaskCandidate[];
}

export interface FillMaskResult {
  /** The row as the model read it, token by token. */
  tokens: string[];
  masks: MaskPrediction[];
  /** The text with every [MASK] replaced by its most likely candidate. */
  filled: string;
}

/** One encoder's weights on the GPU and a graph per row length, for inference only. */
export class EncoderForward {
  readonly layout: ParamLayout;
  private readonly params: Tensor;
  private readonly ownsParams: boolean;
  private graph: { graph: BertGraph; T: number } | null = null;

  /**
   * `weights`: a flat parameter vector (uploaded to a buffer this object owns), or a live
   * parameter tensor of the same layout that is only read (a training run's, for probes).
   */
  constructor(readonly ctx: GpuContext, readonly config: ModelConfig, weights: Float32Array | Tensor) {
    if (config.kind !== 'encoder') throw new Error(`fill-mask needs a BERT-style encoder; this model is a '${config.kind}'`);
    this.layout = buildParamLayout(config);
    if (weights instanceof Float32Array) {
      if (weights.length !== this.layout.totalFloats) throw new Error(`fill-mask: ${weights.length} parameters given, the model has ${this.layout.totalFloats}`);
      this.params = Tensor.empty(ctx, [this.layout.totalFloats], 'f32', 'fill-mask.params');
      this.params.write(weights);
      this.ownsParams = true;
    } else {
      this.params = weights;
      this.ownsParams = false;
    }
  }

  /** Logits of the rows at `positions` ([positions.length, V]) and the NSP logits ([2], or null without a pooler). */
  async run(ids: readonly number[], types: readonly number[], positions: readonly number[]): Promise<{ logits: Float32Array[]; nsp: Float32Array | null }> {
    const T = ids.length;
    if (T > this.config.blockSize) throw new Error(`fill-mask: the text is ${T} tokens with [CLS] and [SEP]; the model reads at most ${this.config.blockSize}`);
    const graph = this.graphFor(T);
    graph.ids.write(Uint32Array.from(ids));
    graph.types.write(Uint32Array.from(types));
    graph.kvLen.write(Uint32Array.of(T));
    await inferenceForward(this.ctx, graph); // the MLM (and, with a pooler, NSP) labels ignored
    const V = this.config.vocabSize;
    const all = positions.length ? await graph.logits.read() : new Float32Array(0);
    const logits = positions.map((p) => all.slice(p * V, (p + 1) * V));
    const nsp = this.config.pooler ? (await graph.nspLogits.read()).slice(0, 2) : null;
    return { logits, nsp };
  }

  private graphFor(T: number): BertGraph {
    if (this.graph?.T === T) return this.graph.graph;
    this.graph?.graph.destroy();
    // Forward only: the parameters stand in for the gradient buffer (only views are taken of it).
    const graph = new BertGraph(this.ctx, this.layout, this.params, this.params, { batchSize: 1, seqLen: T });
    this.graph = { graph, T };
    return graph;
  }

  destroy(): void {
    this.graph?.graph.destroy();
    this.graph = null;
    if (this.ownsParams) this.params.destroy();
  }
}

function specialId(tok: Tokenizer, name: string): number {
  const id = tok.tokenToId(name);
  if (id === undefined) throw new Error(`fill-mask: the tokenizer has no ${name} token (was this run trained with BERT's specials?)`);
  return id;
}

/** Candidates at each [MASK] of `text`, most likely first. */
export async function fillMask(enc: EncoderForward, tok: Tokenizer, text: string, topK = 5): Promise<FillMaskResult> {
  const mask = specialId(tok, MASK);
  const ids = [specialId(tok, CLS), ...tok.encode(text), specialId(tok, SEP)];
  const positions = ids.flatMap((id, i) => (id === mask ? [i] : []));
  if (positions.length === 0) throw new Error(`fill-mask: the text has no ${MASK} to fill ("${text}")`);
  const { logits } = await enc.run(ids, ids.map(() => 0), positions);
  const masks = positions.map((position, m) => {
    const p = softmax64(logits[m]);
    const order = Array.from(p.keys()).filter((id) => !tok.isSpecial(id)).sort((a, b) => p[b] - p[a]).slice(0, Math.max(1, topK));
    return { position, candidates: order.map((id) => candidate(tok, id, p[id])) };
  });
  const best = ids.slice();
  masks.forEach((m) => (best[m.position] = m.candidates[0].id));
  return { tokens: ids.map((id) => tok.idToToken(id) ?? `<${id}>`), masks, filled: tok.decode(best.slice(1, -1)) };
}

function candidate(tok: Tokenizer, id: number, probability: number): MaskCandidate {
  const token = tok.idToToken(id) ?? `<${id}>`;
  return { id, token, text: tok.decode([id]).replace(/^##/, '').trim() || token, probability };
}

/** P(B follows A) from the NSP head: softmax of its logits, label 0 meaning "is next". */
export async function nextSentenceProbability(enc: EncoderForward, tok: Tokenizer, a: string, b: string): Promise<number> {
  if (!enc.config.pooler) throw new Error('next-sentence probability needs a model trained with NSP (objective mlm+nsp); this one has no NSP head');
  const cls = specialId(tok, CLS), sep = specialId(tok, SEP);
  const idsA = tok.encode(a), idsB = tok.encode(b);
  const ids = [cls, ...idsA, sep, ...idsB, sep];
  const types = ids.map((_, i) => (i < idsA.length + 2 ? 0 : 1));
  const { nsp } = await enc.run(ids, types, []);
  return softmax64(nsp!)[0];
}
