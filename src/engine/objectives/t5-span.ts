// T5 span corruption (Raffel et al. 2019 §3.1.4): 15% of the tokens, in spans of mean length 3,
// are hidden; the encoder reads the text with each span replaced by one sentinel <extra_id_i>,
// the decoder writes each sentinel followed by the span it hid (t5-noise.ts, T5's arithmetic):
//   input_ids          x0 x1 <extra_id_0> x5 … <extra_id_k-1> … [SEP]   exactly seqLen (T5 sizes it)
//   decoder_input_ids  [CLS] <extra_id_0> x2 x3 x4 <extra_id_1> …       targetLen = T5's targets_length
//   labels             <extra_id_0> x2 x3 x4 <extra_id_1> … [SEP]
// The raw window drawn from the token stream is random_spans_helper's tokens_length (568 raw
// tokens for 512 inputs, 114 targets), so no position is padding. [SEP] is T5's EOS and [CLS]
// the decoder's start token, as in the BART objective; the model is the same BART-shaped
// encoder-decoder (learned positions, post-LN, biases), so config.json is BART's layout.
import type { DataSplit, Rng, TokenDataset } from '../data/index.ts';
import { copyRange } from '../data/index.ts';
import { encoderDecoderConfig } from '../model/config.ts';
import { IGNORE_INDEX } from '../ops/crossentropy.ts';
import { CLS, PAD, SEP, sentinel, type Tokenizer } from '../tokenizers/index.ts';
import { bartKeys } from '../train/hf-config.ts';
import type { MicroBatch } from '../train/step.ts';
import { tokenView } from './preview.ts';
import { randomSpansHelper, randomSpansNoiseMask, spanCorrupt, spanCounts } from './t5-noise.ts';
import { Seq2SeqProbeWriter } from './seq2seq-probes.ts';
import type { Collator, TrainableObjective } from './types.ts';

/** T5's defaults (span_corruption: noise_density 0.15, mean_noise_span_length 3). */
export const NOISE_DENSITY = 0.15;
export const MEAN_SPAN = 3;
/** Sentinels the tokenizer carries, as T5's vocabulary (extra_ids = 100). */
export const T5_SENTINELS = 100;

interface T5Specials { cls: number; sep: number; pad: number; sentinels: number[] }

function specialsOf(tok: Tokenizer): T5Specials {
  const id = (t: string) => {
    const v = tok.tokenToId(t);
    if (v === undefined) throw new Error(`span corruption needs the special token ${t}, which this tokenizer lacks`);
    return v;
  };
  const sentinels: number[] = [];
  for (let i = 0; ; i++) {
    const v = tok.tokenToId(sentinel(i));
    if (v === undefined) break;
    sentinels.push(v);
  }
  return { cls: id(CLS), sep: id(SEP), pad: id(PAD), sentinels };
}

/** The lengths T5 uses for an encoder of `seqLen` positions. */
export function t5Lengths(seqLen: number): { tokensLength: number; targetsLength: number; spans: number } {
  const { tokensLength, targetsLength } = randomSpansHelper(seqLen, NOISE_DENSITY, MEAN_SPAN);
  return { tokensLength, targetsLength, spans: spanCounts(tokensLength, NOISE_DENSITY, MEAN_SPAN).spans };
}

interface Row { text: Uint32Array; mask: Uint8Array; inputs: number[]; targets: number[] }

function draw(ds: TokenDataset, split: DataSplit, batchSize: number, T: number, rng: Rng, sp: T5Specials): { batch: MicroBatch; rows: Row[] } {
  if (T < 4) throw new Error(`span corruption needs blockSize >= 4; got ${T}`);
  const { tokensLength: L, targetsLength: G, spans } = t5Lengths(T);
  if (spans > sp.sentinels.length) {
    throw new Error(`span corruption at blockSize ${T} hides ${spans} spans, but the tokenizer has ${sp.sentinels.length} sentinels <extra_id_i>: use a smaller --blockSize`);
  }
  if (split.tokens < L) throw new Error(`span corruption: the ${split.name} split has ${split.tokens} tokens, fewer than the ${L} a row of ${T} corrupted tokens is cut from`);
  const ids = new Uint32Array(batchSize * T).fill(sp.pad);
  const kvLen = new Uint32Array(batchSize);
  const dec = new Uint32Array(batchSize * G).fill(sp.pad);
  const labels = new Uint32Array(batchSize * G).fill(IGNORE_INDEX);
  const rows: Row[] = [];
  for (let b = 0; b < batchSize; b++) {
    const text = new Uint32Array(L);
    copyRange(ds, split, rng.int(split.tokens - L + 1), L, text, 0);
    const mask = randomSpansNoiseMask(L, NOISE_DENSITY, MEAN_SPAN, rng);
    const { inputs, targets } = spanCorrupt(text, mask, sp.sentinels, sp.sep);
    // random_spans_helper chose L so that both fit; a mismatch is a bug in the port, not the data.
    if (inputs.length > T || targets.length > G) throw new Error(`span corruption: ${inputs.length} inputs / ${targets.length} targets exceed ${T} / ${G}`);
    ids.set(inputs, b * T);
    kvLen[b] = inputs.length;
    dec[b * G] = sp.cls;
    dec.set(targets.slice(0, -1), b * G + 1);
    labels.set(targets, b * G);
    rows.push({ text, mask, inputs, targets });
  }
  return { batch: { input_ids: ids, kvLen, decoder_input_ids: dec, labels }, rows };
}

function collatorFor(tok: Tokenizer): Collator {
  const sp = specialsOf(tok);
  const isSentinel = new Set(sp.sentinels);
  const view = (id: number) => ({ ...tokenView(tok, id), ...(isSentinel.has(id) ? { mark: 'sentinel' as const } : {}) });
  return {
    batch: (ds, split, batchSize, seqLen, rng) => draw(ds, split, batchSize, seqLen, rng, sp).batch,
    preview: (ds, split, rows, seqLen, rng) =>
      draw(ds, split, rows, seqLen, rng, sp).rows.map((row) => ({ kind: 'denoise' as const, inputs: row.inputs.map(view), targets: row.targets.map(view) })),
  };
}

export const t5Span: TrainableObjective = {
  id: 't5-span',
  status: 'available',
  title: 'Span corruption',
  family: 'T5',
  summary: 'Replaces spans with sentinels <extra_id_i> and learns to write each sentinel followed by the span it hid.',
  modelKind: 'encoder-decoder',
  heads: [{ kind: 'lm' }],
  specials: 't5',
  model: (shape) => {
    // The BART-shaped graph always has biases (see bart.ts).
    return encoderDecoderConfig({ ...shape, bias: true });
  },
  batchShape: (o) => ({ batchSize: o.batchSize, seqLen: o.blockSize, targetLen: t5Lengths(o.blockSize).targetsLength }),
  collator: collatorFor,
  lossTerms: ['lm'],
  charts: {
    loss: [{ label: 'train loss (hidden spans)', split: 'train', name: 'loss' }, { label: 'validation loss', split: 'val', name: 'valLoss', dashed: true }],
    perplexity: [{ label: 'train perplexity', split: 'train', name: 'perplexity' }, { label: 'validation perplexity', split: 'val', name: 'valPerplexity', dashed: true }],
    accuracy: [{ label: 'span-token accuracy', split: 'train', name: 'accuracy' }],
  },
  samples: 'the spans written for fixed probes with sentinels at each evaluation, in probes.jsonl',
  sampler: (args) => (args.options.sampleTokens > 0 ? new Seq2SeqProbeWriter(args, 't5-span') : null),
  hfConfig: (model, tok) => bartKeys(model, { pad: tok.tokenToId(PAD), bos: tok.tokenToId(CLS), eos: tok.tokenToId(SEP) }),
};
