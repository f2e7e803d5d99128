// Masked language modelling alone (RoBERTa's recipe on BERT's body): one span per row, ~15% of
// its words (or tokens, wholeWordMask false) to restore from both sides; no next-sentence head, so no pooler.
import { encoderConfig } from '../model/config.ts';
import { PAD } from '../tokenizers/index.ts';
import { bertKeys } from '../train/hf-config.ts';
import { mlmCollator } from './mlm-collator.ts';
import { PROBE_TOP_K, PROBES_FILE, ProbeWriter } from './mlm-probes.ts';
import type { TrainableObjective } from './types.ts';

export const mlm: TrainableObjective = {
  id: 'mlm',
  status: 'available',
  title: 'Masked LM',
  family: 'BERT / RoBERTa',
  summary: 'Hides 15% of the words and learns to restore them from the words on both sides.',
  modelKind: 'encoder',
  heads: [{ kind: 'mlm' }],
  specials: 'bert',
  model: (shape) => encoderConfig({ ...shape, pooler: false }),
  batchShape: (o) => ({ batchSize: o.batchSize, seqLen: o.blockSize }),
  collator: (tok, options) => mlmCollator(tok, false, options),
  lossTerms: ['mlm'],
  charts: {
    loss: [{ label: 'train loss (masked tokens)', split: 'train', name: 'loss' }, { label: 'validation loss', split: 'val', name: 'valLoss', dashed: true }],
    perplexity: [{ label: 'masked-token perplexity', split: 'train', name: 'perplexity' }, { label: 'validation perplexity', split: 'val', name: 'valPerplexity', dashed: true }],
    accuracy: [{ label: 'masked-token accuracy', split: 'train', name: 'accuracy' }],
  },
  samples: `top-${PROBE_TOP_K} fill-mask predictions for fixed probe sentences in the corpus's language (${PROBES_FILE})`,
  sampler: (args) => new ProbeWriter(args),
  hfConfig: (model, tok) => bertKeys(model, tok.tokenToId(PAD), 'BertForMaskedLM'),
};
