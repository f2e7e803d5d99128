// BART denoising (text infilling, Lewis et al. 2019 §2.2): spans of the text, lengths drawn from
// Poisson(λ = 3), are each replaced by ONE [MASK] (a 0-length span inserts a [MASK]) until about
// 30% of the tokens are hidden; the encoder reads the corrupted text, the decoder writes the whole
// original back, teacher-forced:
//   input_ids          [CLS] corrupted… [SEP] [PAD]…   kvLen = its real length
//   decoder_input_ids  [CLS] x0 x1 … x(n-1)  [PAD]…     (the target shifted right)
//   labels             x0 x1 … x(n-1) [SEP]  ignored…
// BART's <s> </s> <pad> <mask> are BERT's [CLS] [SEP] [PAD] [MASK] here (one special-token set for
// every objective). Batches are drawn from a split's token stream with the caller's Rng only.
import type { DataSplit, Rng, TokenDataset } from '../data/index.ts';
import { copyRange } from '../data/index.ts';
import { encoderDecoderConfig } from '../model/config.ts';
import { IGNORE_INDEX } from '../ops/crossentropy.ts';
import { CLS, MASK, PAD, SEP, type Tokenizer } from '../tokenizers/index.ts';
import { bartKeys } from '../train/hf-config.ts';
import type { MicroBatch } from '../train/step.ts';
import { tokenView } from './preview.ts';
import type { Collator, TrainableObjective } from './types.ts';

const POISSON_LAMBDA = 3;
/** A span starts at an untouched position with this probability: 3p / (1 + 2p) = 30% hidden. */
const SPAN_START = 0.125;

interface BartSpecials { cls: number; sep: number; pad: number; mask: number }

function specialsOf(tok: Tokenizer): BartSpecials {
  const id = (t: string) => {
    const v = tok.tokenToId(t);
    if (v === undefined) throw new Error(`BART denoising needs the special token ${t}, which this tokenizer lacks`);
    return v;
  };
  return { cls: id(CLS), sep: id(SEP), pad: id(PAD), mask: id(MASK) };
}

/** Knuth's Poisson sampler (λ is small). */
function poisson(rng: Rng, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  for (let p = rng.next(); p > limit; p *= rng.next()) k++;
  return k;
}

/** A row's corrupted source, and which of the original tokens it hides. */
interface Row { source: number[]; hidden: boolean[] }

/** The corrupted source of `text`, at most `room` tokens (an insertion past that is dropped). */
function infill(text: Uint32Array, rng: Rng, room: number, mask: number): Row {
  const source: number[] = [];
  const hidden = new Array<boolean>(text.length).fill(false);
  let i = 0;
  while (i < text.length) {
    if (rng.next() < SPAN_START) {
      const len = Math.min(poisson(rng, POISSON_LAMBDA), text.length - i);
      if (source.length < room) source.push(mask);
      hidden.fill(true, i, i + len);
      i += len;
      if (len > 0) continue;
    }
    if (i < text.length) {
      if (source.length < room) source.push(text[i]);
      i++;
    }
  }
  return { source, hidden };
}

function draw(ds: TokenDataset, split: DataSplit, batchSize: number, T: number, rng: Rng, sp: BartSpecials): { batch: MicroBatch; rows: Row[]; texts: Uint32Array[] } {
  if (T < 4) throw new Error(`BART batches need blockSize >= 4 ([CLS] x [SEP] and its target); got ${T}`);
  const n = T - 1; // target tokens before [SEP]
  if (split.tokens < n) throw new Error(`BART: the ${split.name} split has ${split.tokens} tokens, fewer than blockSize - 1 = ${n}`);
  const ids = new Uint32Array(batchSize * T).fill(sp.pad);
  const kvLen = new Uint32Array(batchSize);
  const dec = new Uint32Array(batchSize * T).fill(sp.pad);
  const labels = new Uint32Array(batchSize * T).fill(IGNORE_INDEX);
  const rows: Row[] = [];
  const texts: Uint32Array[] = [];
  for (let b = 0; b < batchSize; b++) {
    const text = new Uint32Array(n);
    copyRange(ds, split, rng.int(split.tokens - n + 1), n, text, 0);
    const row = infill(text, rng, T - 2, sp.mask);
    const o = b * T;
    ids[o] = sp.cls;
    row.source.forEach((id, i) => (ids[o + 1 + i] = id));
    ids[o + 1 + row.source.length] = sp.sep;
    kvLen[b] = row.source.length + 2;
    dec[o] = sp.cls;
    dec.set(text, o + 1);
    labels.set(text, o);
    labels[o + n] = sp.sep;
    rows.push(row);
    texts.push(text);
  }
  return { batch: { input_ids: ids, kvLen, decoder_input_ids: dec, labels }, rows, texts };
}

function collatorFor(tok: Tokenizer): Collator {
  const sp = specialsOf(tok);
  return {
    batch: (ds, split, batchSize, seqLen, rng) => draw(ds, split, batchSize, seqLen, rng, sp).batch,
    preview: (ds, split, rows, seqLen, rng) => {
      const d = draw(ds, split, rows, seqLen, rng, sp);
      return d.rows.map((row, r) => ({
        kind: 'denoise' as const,
        inputs: [sp.cls, ...row.source, sp.sep].map((id) => ({ ...tokenView(tok, id), ...(id === sp.mask ? { mark: 'mask' as const } : {}) })),
        targets: [...Array.from(d.texts[r], (id, i) => ({ ...tokenView(tok, id), ...(row.hidden[i] ? { mark: 'mask' as const } : {}) })), tokenView(tok, sp.sep)],
      }));
    },
  };
}

export const bart: TrainableObjective = {
  id: 'bart',
  status: 'available',
  title: 'Denoising',
  family: 'BART',
  summary: 'Hides spans of the text behind single [MASK] tokens and learns, with an encoder and a decoder, to write the whole text back.',
  modelKind: 'encoder-decoder',
  heads: [{ kind: 'lm' }],
  specials: 'bert',
  model: (shape) => {
    // Refused here, before a graph is recorded, in the option's own name.
    if (shape.dropout > 0) throw new Error(`dropout: the encoder-decoder does not apply dropout yet; use dropout 0 (got ${shape.dropout})`);
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
  samples: null,
  sampler: () => null,
  hfConfig: (model, tok) => bartKeys(model, { pad: tok.tokenToId(PAD), bos: tok.tokenToId(CLS), eos: tok.tokenToId(SEP) }),
};
