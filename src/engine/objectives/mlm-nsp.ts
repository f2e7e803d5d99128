// BERT pretraining: masked LM plus next-sentence prediction on [CLS] A [SEP] B [SEP] pairs
// (B follows A half of the time). Two heads, two loss terms: the record carries each.
import { encoderConfig } from '../model/config.ts';
import { PAD } from '../tokenizers/index.ts';
import { bertKeys } from '../train/hf-config.ts';
import { mlmCollator } from './mlm-collator.ts';
import { PROBE_TOP_K, PROBES_FILE, ProbeWriter } from './mlm-probes.ts';
import type { TrainableObjective } from './types.ts';

export const mlmNsp: TrainableObjective = {
  id: 'mlm+nsp',
  status: 'available',
  title: 'Masked LM + NSP',
  family: 'BERT',
  summary: 'Hides 15% of the words and learns to restore them from both sides, and whether sentences B follow sentences A in the same document.',
  modelKind: 'encoder',
  heads: [{ kind: 'mlm' }, { kind: 'nsp' }],
  specials: 'bert',
  model: (shape) => encoderConfig({ ...shape, pooler: true }),
  batchShape: (o) => ({ batchSize: o.batchSize, seqLen: o.blockSize }),
  collator: (tok, options) => mlmCollator(tok, true, options),
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
  samples: `top-${PROBE_TOP_K} fill-mask predictions for fixed probe sentences in the corpus's language (${PROBES_FILE})`,
  sampler: (args) => new ProbeWriter(args),
  hfConfig: (model, tok) => bertKeys(model, tok.tokenToId(PAD), 'BertForPreTraining'),
};
