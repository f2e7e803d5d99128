// BART denoising (Lewis et al. 2019 §2.2): the encoder reads the text corrupted by BART's noise
// mix (bart-noise.ts: sentence permutation, text infilling with Poisson(λ = 3) spans behind
// single [MASK]s, token deletion, token masking, document rotation; --bartInfill … --bartRotate,
// BART-large's mix by default: 30% infilled, every sentence permuted), the decoder writes the
// whole original back, teacher-forced:
//   input_ids          [CLS] corrupted… [SEP] [PAD]…   kvLen = its real length
//   decoder_input_ids  [CLS] x0 x1 … x(n-1)  [PAD]       (the target shifted right; n = T - 2)
//   labels             x0 x1 … x(n-1) [SEP]  ignored
// BART's <s> </s> <pad> <mask> are BERT's [CLS] [SEP] [PAD] [MASK] here (one special-token set for
// every objective). Sentences come from the dataset's sentence index (data/text-units.ts), cut
// by the row's window. Batches are drawn from a split's token stream with the caller's Rng only.
import type { TrainOptions } from '../config/train-config.ts';
import type { DataSplit, Rng, TokenDataset } from '../data/index.ts';
import { copyRange, forEachRangeOf, valueAt } from '../data/index.ts';
import { sentencesStartingIn, textUnits, type TextUnits } from '../data/text-units.ts';
import { encoderDecoderConfig } from '../model/config.ts';
import { IGNORE_INDEX } from '../ops/crossentropy.ts';
import { CLS, MASK, PAD, SEP, type Tokenizer } from '../tokenizers/index.ts';
import { bartKeys } from '../train/hf-config.ts';
import type { MicroBatch } from '../train/step.ts';
import { bartNoise, type BartNoise, type Noised } from './bart-noise.ts';
import { tokenView } from './preview.ts';
import { Seq2SeqProbeWriter } from './seq2seq-probes.ts';
import type { Collator, TrainableObjective } from './types.ts';

interface BartSpecials { cls: number; sep: number; pad: number; mask: number }

function specialsOf(tok: Tokenizer): BartSpecials {
  const id = (t: string) => {
    const v = tok.tokenToId(t);
    if (v === undefined) throw new Error(`BART denoising needs the special token ${t}, which this tokenizer lacks`);
    return v;
  };
  return { cls: id(CLS), sep: id(SEP), pad: id(PAD), mask: id(MASK) };
}

/** The noise mix of a run's options. */
export function noiseOf(o?: Partial<Pick<TrainOptions, 'bartInfill' | 'bartPermute' | 'bartDelete' | 'bartTokenMask' | 'bartRotate'>>): BartNoise {
  return { infill: o?.bartInfill ?? 0.3, permute: o?.bartPermute ?? 1, deletion: o?.bartDelete ?? 0, tokenMask: o?.bartTokenMask ?? 0, rotate: o?.bartRotate ?? 0 };
}

/** Offsets in the window of split positions [pos, pos + n) where a sentence starts (0 always), found in the sorted sentence starts: no per-token table. */
function sentenceStartsIn(units: TextUnits, split: DataSplit, pos: number, n: number): number[] {
  const starts = [0];
  forEachRangeOf(split, pos, n, (from, len, k) => {
    const { first, end } = sentencesStartingIn(units, from, from + len);
    for (let s = first; s < end; s++) {
      const i = k + valueAt(units.sentStart, s) - from;
      if (i > 0) starts.push(i);
    }
  });
  return starts;
}

function draw(ds: TokenDataset, split: DataSplit, batchSize: number, T: number, rng: Rng, sp: BartSpecials, noise: BartNoise, units: TextUnits | null): { batch: MicroBatch; rows: Noised[]; texts: Uint32Array[] } {
  if (T < 4) throw new Error(`BART batches need blockSize >= 4 ([CLS] x [SEP] and its target); got ${T}`);
  // Text tokens per row: the encoder's [CLS] text [SEP] must fit when no noise shortens it
  // (permutation or rotation alone); the decoder's [CLS] text then uses T - 1 positions.
  const n = T - 2;
  if (split.tokens < n) throw new Error(`BART: the ${split.name} split has ${split.tokens} tokens, fewer than blockSize - 2 = ${n}`);
  const ids = new Uint32Array(batchSize * T).fill(sp.pad);
  const kvLen = new Uint32Array(batchSize);
  const dec = new Uint32Array(batchSize * T).fill(sp.pad);
  const labels = new Uint32Array(batchSize * T).fill(IGNORE_INDEX);
  const rows: Noised[] = [];
  const texts: Uint32Array[] = [];
  for (let b = 0; b < batchSize; b++) {
    const text = new Uint32Array(n);
    const pos = rng.int(split.tokens - n + 1);
    copyRange(ds, split, pos, n, text, 0);
    const starts = units ? sentenceStartsIn(units, split, pos, n) : [0];
    const row = bartNoise(text, starts, noise, sp.mask, rng);
    // Insertions can make the source longer than the text: what passes T - 2 is dropped.
    const source = row.source.slice(0, T - 2);
    const o = b * T;
    ids[o] = sp.cls;
    ids.set(source, o + 1);
    ids[o + 1 + source.length] = sp.sep;
    kvLen[b] = source.length + 2;
    dec[o] = sp.cls;
    dec.set(text, o + 1);
    labels.set(text, o);
    labels[o + n] = sp.sep;
    rows.push({ ...row, source });
    texts.push(text);
  }
  return { batch: { input_ids: ids, kvLen, decoder_input_ids: dec, labels }, rows, texts };
}

function collatorFor(tok: Tokenizer, options?: TrainOptions): Collator {
  const sp = specialsOf(tok);
  const noise = noiseOf(options);
  // The sentence index is computed once per dataset, and only when sentences are permuted.
  const units = (ds: TokenDataset) => (noise.permute > 0 ? textUnits(ds, tok) : null);
  return {
    batch: (ds, split, batchSize, seqLen, rng) => draw(ds, split, batchSize, seqLen, rng, sp, noise, units(ds)).batch,
    preview: (ds, split, rows, seqLen, rng) => {
      const d = draw(ds, split, rows, seqLen, rng, sp, noise, units(ds));
      return d.rows.map((row, r) => ({
        kind: 'denoise' as const,
        inputs: [sp.cls, ...row.source, sp.sep].map((id) => ({ ...tokenView(tok, id), ...(id === sp.mask ? { mark: 'mask' as const } : {}) })),
        targets: [...Array.from(d.texts[r], (id, i) => ({ ...tokenView(tok, id), ...(row.fate[i] !== 'kept' ? { mark: 'mask' as const } : {}) })), tokenView(tok, sp.sep)],
      }));
    },
  };
}

export const bart: TrainableObjective = {
  id: 'bart',
  status: 'available',
  title: 'Denoising',
  family: 'BART',
  summary: 'Hides spans of the text behind single [MASK] tokens (and shuffles its sentences) and learns, with an encoder and a decoder, to write the whole text back.',
  modelKind: 'encoder-decoder',
  heads: [{ kind: 'lm' }],
  specials: 'bert',
  model: (shape) => {
    // BART always has biases (BartConfig has no switch for them), and the encoder-decoder graph
    // is assembled with them only: the bias option does not apply.
    return encoderDecoderConfig({ ...shape, bias: true });
  },
  batchShape: (o) => ({ batchSize: o.batchSize, seqLen: o.blockSize, targetLen: o.blockSize }),
  collator: collatorFor,
  lossTerms: ['lm'],
  charts: {
    loss: [{ label: 'train loss (reconstruction)', split: 'train', name: 'loss' }, { label: 'validation loss', split: 'val', name: 'valLoss', dashed: true }],
    perplexity: [{ label: 'train perplexity', split: 'train', name: 'perplexity' }, { label: 'validation perplexity', split: 'val', name: 'valPerplexity', dashed: true }],
    accuracy: [{ label: 'reconstructed-token accuracy', split: 'train', name: 'accuracy' }],
  },
  samples: 'reconstructions of fixed corrupted probes (天气[MASK]好。) at each evaluation, in probes.jsonl',
  sampler: (args) => (args.options.sampleTokens > 0 ? new Seq2SeqProbeWriter(args, 'bart') : null),
  hfConfig: (model, tok) => bartKeys(model, { pad: tok.tokenToId(PAD), bos: tok.tokenToId(CLS), eos: tok.tokenToId(SEP) }),
};
