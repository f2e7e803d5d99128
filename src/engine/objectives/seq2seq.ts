// Supervised sequence to sequence (translation, Sutskever et al. 2014 / Vaswani et al. 2017) on
// paired rows: the importer writes each pair as one document `source [SEP] target`
// (data/formats.ts, --sourceField / --targetField, default the first two columns), tokenized by
// one joint tokenizer trained on both sides, or (sharedTokenizer false) the source by a source
// tokenizer and the target by a target tokenizer (data/pair-tokenizer.ts): then the encoder reads
// source ids and the decoder target ids, of two vocabularies with the same special ids. A row of a
// batch is one pair of the split:
//   input_ids          [CLS] source… [SEP] [PAD]…    kvLen = its real length (source cut to T - 2)
//   decoder_input_ids  [CLS] target…       [PAD]…    (the target shifted right, cut to T - 1)
//   labels             target… [SEP]       ignored…
// The same BART-shaped encoder-decoder as the denoising objectives; config.json is BART's layout
// (with separate vocabularies, Marian's decoder_vocab_size and share_encoder_decoder_embeddings).
import type { DataSplit, Rng, TokenDataset } from '../data/index.ts';
import { valueAt } from '../data/number-list.ts';
import { encoderDecoderConfig } from '../model/config.ts';
import { IGNORE_INDEX } from '../ops/crossentropy.ts';
import { CLS, PAD, SEP, type Tokenizer } from '../tokenizers/index.ts';
import { bartKeys } from '../train/hf-config.ts';
import type { MicroBatch } from '../train/step.ts';
import { tokenView } from './preview.ts';
import { Seq2SeqProbeWriter } from './seq2seq-probes.ts';
import { Seq2SeqScorer } from './seq2seq-scores.ts';
import type { Collator, TrainableObjective } from './types.ts';

interface PairSpecials { cls: number; sep: number; pad: number }

function specialsOf(tok: Tokenizer): PairSpecials {
  const id = (t: string) => {
    const v = tok.tokenToId(t);
    if (v === undefined) throw new Error(`seq2seq needs the special token ${t}, which this tokenizer lacks`);
    return v;
  };
  return { cls: id(CLS), sep: id(SEP), pad: id(PAD) };
}

/** Document d's source and target ids (split at its first [SEP]). */
export function pairOf(ds: TokenDataset, d: number, sep: number): { source: Uint32Array; target: Uint32Array } {
  const start = valueAt(ds.docStarts, d), end = valueAt(ds.docStarts, d + 1) - ds.meta.separator.length;
  const doc = Uint32Array.from(ds.tokens.subarray(start, end));
  const k = doc.indexOf(sep);
  if (k < 0) throw new Error(`seq2seq: document ${d} has no [SEP] between source and target; import the corpus with --objective seq2seq (paired rows)`);
  return { source: doc.subarray(0, k), target: doc.subarray(k + 1) };
}

interface Row { source: Uint32Array; target: Uint32Array }

function draw(ds: TokenDataset, split: DataSplit, batchSize: number, T: number, rng: Rng, sp: PairSpecials): { batch: MicroBatch; rows: Row[] } {
  if (T < 3) throw new Error(`seq2seq batches need blockSize >= 3; got ${T}`);
  if (split.documents.length === 0) throw new Error(`seq2seq: the ${split.name} split has no pairs`);
  const ids = new Uint32Array(batchSize * T).fill(sp.pad);
  const kvLen = new Uint32Array(batchSize);
  const dec = new Uint32Array(batchSize * T).fill(sp.pad);
  const labels = new Uint32Array(batchSize * T).fill(IGNORE_INDEX);
  const rows: Row[] = [];
  for (let b = 0; b < batchSize; b++) {
    const pair = pairOf(ds, valueAt(split.documents, rng.int(split.documents.length)), sp.sep);
    const source = pair.source.subarray(0, T - 2), target = pair.target.subarray(0, T - 1);
    const o = b * T;
    ids[o] = sp.cls;
    ids.set(source, o + 1);
    ids[o + 1 + source.length] = sp.sep;
    kvLen[b] = source.length + 2;
    dec[o] = sp.cls;
    dec.set(target, o + 1);
    labels.set(target, o);
    labels[o + target.length] = sp.sep;
    rows.push({ source, target });
  }
  return { batch: { input_ids: ids, kvLen, decoder_input_ids: dec, labels }, rows };
}

/** `target`: the target side's own tokenizer (its specials have the source's ids: pair-tokenizer.ts). */
function collatorFor(tok: Tokenizer, target: Tokenizer = tok): Collator {
  const sp = specialsOf(tok);
  return {
    batch: (ds, split, batchSize, seqLen, rng) => draw(ds, split, batchSize, seqLen, rng, sp).batch,
    preview: (ds, split, rows, seqLen, rng) =>
      draw(ds, split, rows, seqLen, rng, sp).rows.map((row) => ({
        kind: 'denoise' as const,
        inputs: [sp.cls, ...row.source, sp.sep].map((id) => tokenView(tok, id)),
        targets: [...row.target, sp.sep].map((id) => tokenView(target, id)),
      })),
  };
}

export const seq2seq: TrainableObjective = {
  id: 'seq2seq',
  status: 'available',
  title: 'Sequence to sequence',
  family: 'translation',
  summary: 'Learns to write the target text of each pair (a translation, a summary) from its source text.',
  modelKind: 'encoder-decoder',
  heads: [{ kind: 'lm' }],
  specials: 'bert',
  paired: true,
  model: (shape) => {
    return encoderDecoderConfig({ ...shape, bias: true });
  },
  batchShape: (o) => ({ batchSize: o.batchSize, seqLen: o.blockSize, targetLen: o.blockSize }),
  collator: (tok, _options, target) => collatorFor(tok, target),
  lossTerms: ['lm'],
  charts: {
    loss: [{ label: 'train loss (target tokens)', split: 'train', name: 'loss' }, { label: 'validation loss', split: 'val', name: 'valLoss', dashed: true }],
    perplexity: [{ label: 'train perplexity', split: 'train', name: 'perplexity' }, { label: 'validation perplexity', split: 'val', name: 'valPerplexity', dashed: true }],
    accuracy: [{ label: 'target-token accuracy', split: 'train', name: 'accuracy' }],
    scores: [{ label: 'BLEU (held-out translations)', split: 'val', name: 'valBleu' }, { label: 'chrF2 (held-out translations)', split: 'val', name: 'valChrf' }],
  },
  samples: 'translations of fixed probe sentences at each evaluation, in probes.jsonl; BLEU and chrF of held-out translations (--evalTranslations) in metrics.jsonl',
  sampler: (args) => (args.options.sampleTokens > 0 ? new Seq2SeqProbeWriter(args, 'seq2seq') : null),
  scorer: (args) => (args.options.evalTranslations > 0 ? new Seq2SeqScorer(args) : null),
  hfConfig: (model, tok) => bartKeys(model, { pad: tok.tokenToId(PAD), bos: tok.tokenToId(CLS), eos: tok.tokenToId(SEP) }),
};
