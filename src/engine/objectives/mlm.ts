// Masked language modelling alone (RoBERTa's recipe on BERT's body): one span per row, ~15% of
// its tokens to restore from both sides; no next-sentence head, so no pooler.
import { encoderConfig } from '../model/config.ts';
import { PAD } from '../tokenizers/index.ts';
import { bertKeys } from '../train/hf-config.ts';
import { mlmBatch, mlmPreview, mlmSpecials } from './mlm-collator.ts';
import type { TrainableObjective } from './types.ts';

export const mlm: TrainableObjective = {
  id: 'mlm',
  status: 'available',
  title: 'Masked LM',
  family: 'BERT / RoBERTa',
  summary: 'Hides 15% of the tokens and learns to restore them from the words on both sides.',
  modelKind: 'encoder',
  heads: [{ kind: 'mlm' }],
  specials: 'bert',
  model: (shape) => encoderConfig({ ...shape, pooler: false }),
  batchShape: (o) => ({ batchSize: o.batchSize, seqLen: o.blockSize }),
  collator: (tok) => {
    const sp = mlmSpecials(tok);
    return {
      batch: (ds, split, batchSize, seqLen, rng) => mlmBatch(ds, split, batchSize, seqLen, rng, sp, false),
      preview: (ds, split, rows, seqLen, rng) => mlmPreview(mlmBatch(ds, split, rows, seqLen, rng, sp, false), rows, seqLen, tok, sp, false),
    };
  },
  lossTerms: ['mlm'],
  charts: {
    loss: [{ label: 'train loss (masked tokens)', split: 'train', name: 'loss' }, { label: 'validation loss', split: 'val', name: 'valLoss', dashed: true }],
    perplexity: [{ label: 'masked-token perplexity', split: 'train', name: 'perplexity' }, { label: 'validation perplexity', split: 'val', name: 'valPerplexity', dashed: true }],
    accuracy: [{ label: 'masked-token accuracy', split: 'train', name: 'accuracy' }],
  },
  samples: null,
  sampler: () => null,
  hfConfig: (model, tok) => bertKeys(model, tok.tokenToId(PAD), 'BertForMaskedLM'),
};
