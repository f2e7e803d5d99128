// A slot a later issue fills: listed now (a card, a line in --help) and refused with its reason,
// never faked. When its collator and heads exist this file becomes a TrainableObjective; its
// line in index.ts stays the same.
import type { PlannedObjective } from './types.ts';

export const t5Span: PlannedObjective = {
  id: 't5-span',
  status: 'planned',
  title: 'Span corruption',
  family: 'T5',
  summary: 'Replaces spans with sentinels <extra_id_i> and learns to write each sentinel followed by the span it hid.',
  modelKind: 'encoder-decoder',
  heads: ['lm'],
  reason: "the span-corruption collator (sentinel tokens in the tokenizer and the targets) is not written yet; 'bart' trains the same encoder-decoder with text infilling",
};
