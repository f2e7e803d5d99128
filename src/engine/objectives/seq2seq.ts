// A slot a later issue fills: listed now (a card, a line in --help) and refused with its reason,
// never faked. When its collator and heads exist this file becomes a TrainableObjective; its
// line in index.ts stays the same.
import type { PlannedObjective } from './types.ts';

export const seq2seq: PlannedObjective = {
  id: 'seq2seq',
  status: 'planned',
  title: 'Sequence to sequence',
  family: 'translation',
  summary: 'Learns to write the target text of each pair (a translation, a summary) from its source text.',
  modelKind: 'encoder-decoder',
  heads: ['lm'],
  reason: 'paired source/target rows are not read by the corpus importer yet',
};
