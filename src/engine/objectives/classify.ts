// A slot a later issue fills: listed now (a card, a line in --help) and refused with its reason,
// never faked. When its collator and heads exist this file becomes a TrainableObjective; its
// line in index.ts stays the same.
import type { PlannedObjective } from './types.ts';

export const classify: PlannedObjective = {
  id: 'classify',
  status: 'planned',
  title: 'Classification',
  family: 'BERT fine-tuning',
  summary: 'Learns a label for each text (e.g. its sentiment) from a head on the [CLS] position.',
  modelKind: 'encoder',
  heads: ['classification'],
  reason: 'the classification head on [CLS] and labeled rows come with the Adapt page',
};
