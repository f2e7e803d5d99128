// Classification learns from labeled rows, not from a corpus's token stream, so `npm run train`
// refuses it with the way to do it: `npm run finetune` (src/engine/finetune/) puts this head on a
// pretrained run's body. The entry stays listed so the Model page's card and --help say so.
import type { PlannedObjective } from './types.ts';

export const classify: PlannedObjective = {
  id: 'classify',
  status: 'planned',
  title: 'Classification',
  family: 'fine-tuning',
  summary: 'Learns a label for each text (e.g. its sentiment) from a head on a pretrained model: BERT\'s pooled [CLS], or GPT\'s last real token.',
  modelKind: 'encoder',
  heads: ['classification'],
  reason: 'it learns from labeled rows on a pretrained run: npm run finetune -- --run runs/<BERT, GPT or BART run> --data <labeled .csv/.tsv/.jsonl>',
  // A fine-tune's metrics.jsonl (finetune/run.ts): train loss and accuracy, validation loss, accuracy and macro-F1.
  charts: {
    loss: [{ label: 'train loss', split: 'train', name: 'loss' }, { label: 'validation loss', split: 'val', name: 'valLoss', dashed: true }],
    perplexity: [],
    accuracy: [
      { label: 'train accuracy', split: 'train', name: 'accuracy' },
      { label: 'validation accuracy', split: 'val', name: 'valAccuracy', dashed: true },
      { label: 'validation macro-F1', split: 'val', name: 'valMacroF1', dashed: true },
    ],
  },
};
