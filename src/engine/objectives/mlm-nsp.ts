// BERT pretraining: masked LM plus next-sentence prediction on [CLS] A [SEP] B [SEP] pairs
// (B follows A half of the time). Two heads, two loss terms: the record carries each.
import { encoderConfig } from '../model/config.ts';
import { PAD } from '../tokenizers/index.ts';
import { bertKeys } from '../train/hf-config.ts';
import { mlmBatch, mlmPreview, mlmSpecials } from './mlm-collator.ts';
import type { TrainableObjective } from './types.ts';

export const mlmNsp: TrainableObjective = {
  id: 'mlm+nsp',
  status: 'available',
  title: 'Masked LM + NSP',
  family: 'BERT',
  summary: 'Hides 15% of the tokens and learns to restore them from both sides, and whether sentence B follows sentence A.',
  modelKind: 'encoder',
  heads: [{ kind: 'mlm' }, { kind: 'nsp' }],
  specials: 'bert',
  model: (shape) => encoderConfig({ ...shape, pooler: true }),
  batchShape: (o) => ({ batchSize: o.batchSize, seqLen: o.blockSize }),
  collator: (tok) => {
    const sp = mlmSpecials(tok);
    return {
      batch: (ds, split, batchSize, seqLen, rng) => mlmBatch(ds, split, batchSize, seqLen, rng, sp, true),
      preview: (ds, split, rows, seqLen, rng) => mlmPreview(mlmBatch(ds, split, rows, seqLen, rng, sp, true), rows, seqLen, tok, sp, true),
    };
  },
  lossTerms: ['mlm', 'nsp'],
  charts: {
    loss: [
      { label: 'train loss', split: 'train', name: 'loss' },
      { label: 'masked-token loss', split: 'train', name: 'mlmLoss' },
      { label: 'next-sentence loss', split: 'train', name: 'nspLoss' },
      { label: 'validation loss', split: 'val', name: 'valLoss', dashed: true },
    ],
    perplexity: [{ label: 'masked-token perplexity', split: 'train', name: 'mlmPerplexity' }],
    accuracy: [{ label: 'masked-token accuracy', split: 'train', name: 'mlmAccuracy' }, { label: 'next-sentence accuracy', split: 'train', name: 'nspAccuracy' }],
  },
  samples: null,
  sampler: () => null,
  hfConfig: (model, tok) => bertKeys(model, tok.tokenToId(PAD), 'BertForPreTraining'),
};
