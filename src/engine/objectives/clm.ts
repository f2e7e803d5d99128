// Causal language modelling (GPT): every position predicts the next token of the text.
// Batches are nanoGPT's: B windows of T + 1 consecutive tokens at uniform offsets; x = the first
// T, targets = the last T. Evaluation writes a text sample (nanoGPT's sample.py settings).
import { sampleBatch } from '../data/index.ts';
import { decoderConfig } from '../model/config.ts';
import { SampleWriter } from '../train/samples.ts';
import { EOS } from '../tokenizers/index.ts';
import { gpt2Keys } from '../train/hf-config.ts';
import { tokenView } from './preview.ts';
import type { Collator, TrainableObjective } from './types.ts';

/** -1 targets (none) become 0xffffffff, which the loss ignores. */
const u32 = (a: Int32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

const collator: Collator = {
  batch: (ds, split, batchSize, seqLen, rng) => {
    const b = sampleBatch(ds, split, batchSize, seqLen, rng);
    return { idx: u32(b.x), targets: u32(b.y) };
  },
  preview: (ds, split, rows, seqLen, rng, tok) => {
    const b = sampleBatch(ds, split, rows, seqLen, rng);
    return Array.from({ length: rows }, (_, r) => ({
      kind: 'causal' as const,
      inputs: Array.from(b.x.subarray(r * seqLen, (r + 1) * seqLen), (id) => tokenView(tok, id)),
      targets: Array.from(b.y.subarray(r * seqLen, (r + 1) * seqLen), (id) => (id < 0 ? null : tokenView(tok, id))),
    }));
  },
};

export const clm: TrainableObjective = {
  id: 'clm',
  status: 'available',
  title: 'Causal LM',
  family: 'GPT',
  summary: 'Reads the text left to right and learns to predict each next token; it can then continue any prompt.',
  modelKind: 'decoder',
  heads: [{ kind: 'lm' }],
  specials: 'gpt',
  model: (shape) => decoderConfig(shape),
  batchShape: (o) => ({ batchSize: o.batchSize, seqLen: o.blockSize }),
  collator: () => collator,
  lossTerms: ['lm'],
  charts: {
    loss: [{ label: 'train loss', split: 'train', name: 'loss' }, { label: 'validation loss', split: 'val', name: 'valLoss', dashed: true }],
    perplexity: [{ label: 'train perplexity', split: 'train', name: 'perplexity' }, { label: 'validation perplexity', split: 'val', name: 'valPerplexity', dashed: true }],
    accuracy: [{ label: 'train next-token accuracy', split: 'train', name: 'accuracy' }],
  },
  samples: 'text generated from the sample prompt (sampleTokens tokens)',
  sampler: ({ ctx, layout, params, tokenizer, options }) => (options.sampleTokens > 0 ? new SampleWriter(ctx, layout, params, tokenizer, options) : null),
  hfConfig: (model, tok) => gpt2Keys(model, tok.tokenToId(EOS)),
};
