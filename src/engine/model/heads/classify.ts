// Sequence classification: one hidden state per row, gathered at `cls_index` (the row's position
// in [N]: [CLS] / the first decoder position, or the last real token) or, for an encoder with
// 'mean' pooling, the mean of its real tokens' states (ModernBERT's classifier_pooling "mean"; the
// row lengths are the body's kvLen, no extra input), optionally through a dense
// + tanh (BERT's pooler, BART's classification_head.dense), then num_labels logits and
// cross-entropy against `class_labels` [B]. Tensor names follow Hugging Face's
// BertForSequenceClassification (classifier), GPT2ForSequenceClassification (score, no bias) and
// BartForSequenceClassification (classification_head).
import type { Recorder } from '../../gpu/kernel';
import type { ModelKind } from '../config';
import type { Tensor } from '../../gpu/tensor';
import { crossEntropyForwardBackward } from '../../ops/crossentropy';
import { embeddingBackward, embeddingBackwardScratchWords, embeddingForward } from '../../ops/embedding';
import { fill } from '../../ops/fill';
import { tanhBackward, tanhForward } from '../../ops/tanh';
import { meanPoolBackward, meanPoolForward } from '../../ops/mean-pool';
import { linearBackward, linearForward } from '../blocks';
import { bind } from '../layers/plan';
import type { Head, HeadBuilder, HeadContext } from './head';
import type { ClassifyPool, HeadSpec } from './spec';

interface ClassifyActs {
  index?: Tensor; // [B] u32 rows of [N] ('first', 'last')
  lengths?: Tensor; // [B] u32 real tokens per row, the body's ('mean')
  labels: Tensor; // [B] u32
  ones: Tensor; // [1, B]
  gathered: Tensor; // [B, C]
  pooledPre?: Tensor; // [B, C]
  pooled?: Tensor; // [B, C]
  logits: Tensor; // [B, K]
  losses: Tensor; // [B]
  correct: Tensor; // [B]
  stats: Tensor; // [4]
}

interface ClassifyGrads {
  dlogits: Tensor; // [B, K]
  dpooled?: Tensor; // [B, C]
  dpooledPre?: Tensor; // [B, C]
  dgathered: Tensor; // [B, C]
  scratch?: Tensor; // u32, the scatter-add's ('first', 'last')
}

/**
 * How a classifier pools its states, by Hugging Face's name: 'cls' (BERT's pooled [CLS]; GPT's last
 * real token; BART's first decoder position, which reads [CLS] alone), 'mean' (an encoder's real
 * tokens, ModernBERT's classifier_pooling) or 'eos' (BartForSequenceClassification: the decoder
 * reads the row shifted right and the state at its last eos token, our [SEP], is classified).
 */
export type ClassifierPooling = 'cls' | 'mean' | 'eos';
export const CLASSIFIER_POOLINGS: readonly ClassifierPooling[] = ['cls', 'mean', 'eos'];

/** Where a model kind's classifier reads, for a pooling (see ClassifierPooling). */
export function classifierPool(kind: ModelKind, pooling: ClassifierPooling = 'cls'): ClassifyPool {
  if (pooling === 'mean') {
    if (kind !== 'encoder') throw new Error(`pooling 'mean' is for encoder (BERT) classifiers; a ${kind === 'decoder' ? "GPT classifies its last real token (pooling 'cls')" : "BART its first decoder position (pooling 'cls') or its last eos token (pooling 'eos')"}`);
    return 'mean';
  }
  if (pooling === 'eos') {
    if (kind !== 'encoder-decoder') throw new Error(`pooling 'eos' is for encoder-decoder (BART) classifiers; a ${kind === 'decoder' ? "GPT classifies its last real token (pooling 'cls')" : "BERT its [CLS] (pooling 'cls') or the mean of its tokens (pooling 'mean')"}`);
    return 'last';
  }
  if (pooling !== 'cls') throw new Error(`pooling must be one of ${CLASSIFIER_POOLINGS.join(', ')}, got '${String(pooling)}'`);
  return kind === 'decoder' ? 'last' : 'first';
}

/** The pooling a classifier layout was built with, by its Hugging Face name (inverse of classifierPool). */
export function poolingOf(kind: ModelKind, pool: ClassifyPool): ClassifierPooling {
  if (pool === 'mean') return 'mean';
  return kind === 'encoder-decoder' && pool === 'last' ? 'eos' : 'cls';
}

/** The row of [N] each sequence is classified from, given its real length (padding at the tail). */
export function classifyIndex(pool: 'first' | 'last', T: number, lengths: readonly number[]): Uint32Array {
  return Uint32Array.from(lengths, (n, b) => {
    if (!(n >= 1 && n <= T)) throw new Error(`classifyIndex: row ${b} has length ${n}, outside 1..${T}`);
    return b * T + (pool === 'first' ? 0 : n - 1);
  });
}

/** Hugging Face prefixes of the optional dense + tanh and of the output projection, per body. */
function names(h: HeadContext): { dense?: string; out: string } {
  if (h.cfg.kind === 'encoder') return { dense: 'bert.pooler.dense', out: 'classifier' };
  if (h.cfg.kind === 'decoder') return { out: 'score' };
  return { dense: 'classification_head.dense', out: 'classification_head.out_proj' };
}

export function planClassifyHead(h: HeadContext, spec: Extract<HeadSpec, { kind: 'classify' }>): HeadBuilder {
  const { a, d } = h.plans;
  const { B, T } = h;
  const N = B * T;
  const C = h.cfg.nEmbd;
  const K = spec.numLabels;
  const prefixes = names(h);
  const dense = prefixes.dense !== undefined;
  const mean = spec.pool === 'mean';
  if (mean && h.lengths === undefined) throw new Error(`classify head: pool 'mean' needs the body's row lengths (a ${h.cfg.kind} body gives none)`);
  const actNames = {
    index: mean ? undefined : a.add('cls_index', [B], 'u32'),
    lengths: mean ? h.lengths : undefined,
    labels: a.add('class_labels', [B], 'u32'),
    ones: a.add('classify.ones', [1, B]),
    gathered: a.add('classify.gathered', [B, C]),
    pooledPre: dense ? a.add('classify.pooledPre', [B, C]) : undefined,
    pooled: dense ? a.add('classify.pooled', [B, C]) : undefined,
    logits: a.add('classify.logits', [B, K]),
    losses: a.add('classify.losses', [B]),
    correct: a.add('classify.correct', [B]),
    stats: a.add('classify.stats', [4]),
  };
  const gradNames = {
    dlogits: d.add('classify.dlogits', [B, K]),
    dpooled: dense ? d.add('classify.dpooled', [B, C]) : undefined,
    dpooledPre: dense ? d.add('classify.dpooledPre', [B, C]) : undefined,
    dgathered: d.add('classify.dgathered', [B, C]),
    scratch: mean ? undefined : d.add('classify.scratch', [embeddingBackwardScratchWords(B, N)], 'u32'),
  };
  return (acts, dacts, v): Head => {
    const x = bind<ClassifyActs>(acts, actNames);
    const g = bind<ClassifyGrads>(dacts, gradNames);
    const pool = prefixes.dense ? v.linear(prefixes.dense, 'out_in') : undefined;
    // GPT-2's score has no bias whatever the body's bias setting (as Hugging Face's).
    const outBias = h.cfg.kind !== 'decoder' && h.cfg.bias;
    const out = {
      p: { w: v.param(`${prefixes.out}.weight`), b: outBias ? v.param(`${prefixes.out}.bias`) : undefined, form: 'out_in' as const },
      d: { dw: v.grad(`${prefixes.out}.weight`), db: outBias ? v.grad(`${prefixes.out}.bias`) : undefined },
    };
    return {
      inputs: x.index ? { cls_index: x.index, class_labels: x.labels } : { class_labels: x.labels },
      lossTerms: [x.stats],
      logits: x.logits,
      forward(rec: Recorder, hidden: Tensor) {
        fill(rec, x.ones, 1);
        if (x.lengths) meanPoolForward(rec, x.gathered, hidden, x.lengths, { B, T, C }); // gathered [B, C] = mean of h over real tokens
        else embeddingForward(rec, x.gathered, x.index!, hidden, { N: B, C, V: N }); // gathered [B, C] = h[cls_index]
        let feat = x.gathered;
        if (pool && x.pooledPre && x.pooled) {
          linearForward(rec, x.pooledPre, x.gathered, pool.p, { label: `${prefixes.dense}` });
          tanhForward(rec, x.pooled, x.pooledPre); // pooled [B, C] = tanh(gathered · Wᵀ + b)
          feat = x.pooled;
        }
        linearForward(rec, x.logits, feat, out.p, { label: prefixes.out }); // logits [B, K]
        crossEntropyForwardBackward(rec, x.losses, g.dlogits, x.stats, x.logits, x.labels, { N: B, V: K, gradScale: h.gradScale }, x.correct);
      },
      backward(rec: Recorder, _hidden: Tensor, dHidden: Tensor) {
        const feat = x.pooled ?? x.gathered;
        const dfeat = g.dpooled ?? g.dgathered;
        linearBackward(rec, dfeat, 'set', out.d, g.dlogits, feat, out.p, x.ones, prefixes.out); // dfeat [B, C]
        if (pool && x.pooled && g.dpooled && g.dpooledPre) {
          fill(rec, g.dpooledPre);
          tanhBackward(rec, g.dpooledPre, g.dpooled, x.pooled);
          linearBackward(rec, g.dgathered, 'set', pool.d, g.dpooledPre, x.gathered, pool.p, x.ones, `${prefixes.dense}`);
        }
        // The mean's backward spreads dgathered / len over each row's real tokens; the gather's is a
        // deterministic scatter-add into the chosen rows of dh.
        if (x.lengths) meanPoolBackward(rec, dHidden, g.dgathered, x.lengths, { B, T, C });
        else embeddingBackward(rec, dHidden, g.dgathered, x.index!, { N: B, C, V: N }, g.scratch!);
      },
    };
  };
}
