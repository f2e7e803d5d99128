// The textbook tour's cards: one idea of the chapter each, the demo model it runs on, its input,
// and the exact request it sends (the e2e test sends the same to check what a card shows).
import type { CommandParams, CommandResult } from '../../protocol/index.ts';

/** The demo runs the tour uses, by role (names from scripts/demo-models/config.ts). */
export const TOUR_MODELS = {
  gpt: 'demo-gpt-en',
  bert: 'demo-bert-zh',
  t5: 'demo-t5-zh',
  classifier: 'demo-bert-zh-sentiment',
} as const;
export type TourModel = keyof typeof TOUR_MODELS;

/** The sample-corpus files a card reads (its batch, its labeled rows), beside the demo models in assets/. */
export const SAMPLE_FILES = { english: 'sample-en.txt', chinese: 'sample-zh.txt', reviews: 'sample-reviews.tsv' } as const;

/** Prompting: the template and label words of the zero- and few-shot cards. */
export const PROMPT_FORMAT = { template: 'Review: {text}\nSentiment:', classes: ['0', '1'], words: [' negative', ' positive'] };
/** Rows of sample-reviews.tsv the few-shot card scores (the zero-shot card classifies the first). */
export const FEW_SHOT_ROWS = 12;
export const FEW_SHOT_K = [0, 1, 2];

export type CardId = 'next-token' | 'mask-cat' | 'mask-paris' | 'infill' | 'finetuned' | 'zero-shot' | 'few-shot';

export interface TourCard {
  id: CardId;
  title: string;
  /** The idea, in a sentence or two. */
  idea: string;
  model: TourModel;
  /** The input the card runs (shown, and the sentence its views open on). */
  input: string;
  /** The sentence the attention and projector views open on (the input with its blanks filled by the reader's eye). */
  sentence: string;
  /** The objective and corpus of its "batch as the model sees it". */
  batch: { objective: string; corpus: keyof typeof SAMPLE_FILES } | null;
}

export const TOUR_CARDS: readonly TourCard[] = [
  {
    id: 'next-token', title: 'Next-token prediction (GPT)', model: 'gpt',
    idea: 'A GPT reads left to right and is trained to predict each next character: a probability for every character of its vocabulary. Generating is that prediction, taken greedily and fed back in.',
    input: 'ROMEO:\nWhat light', sentence: 'ROMEO: What light through yonder window breaks?', batch: { objective: 'clm', corpus: 'english' },
  },
  {
    id: 'mask-cat', title: 'Masked language modelling (BERT)', model: 'bert',
    idea: 'BERT sees the whole sentence at once, both sides of the gap, and is trained to restore the hidden [MASK] tokens.',
    input: '猫在垫子上[MASK]觉', sentence: '猫在垫子上睡觉', batch: { objective: 'mlm+nsp', corpus: 'chinese' },
  },
  {
    id: 'mask-paris', title: 'What the masked model knows (BERT)', model: 'bert',
    idea: 'Filling a blank needs knowledge from the corpus: where is the Eiffel Tower? A small model trained for minutes on a novel and short sentences knows little.',
    input: '巴黎是法国的首都，埃菲尔铁塔位于[MASK]。', sentence: '巴黎是法国的首都，埃菲尔铁塔位于巴黎。', batch: null,
  },
  {
    id: 'infill', title: 'Span infilling (T5)', model: 't5',
    idea: 'T5 replaces spans of the input with sentinels <extra_id_0>, <extra_id_1> … and its decoder writes what each one hid.',
    input: '天气<extra_id_0>好', sentence: '今天天气很好', batch: { objective: 't5-span', corpus: 'chinese' },
  },
  {
    id: 'finetuned', title: 'Sentiment by fine-tuning (BERT + a classifier head)', model: 'classifier',
    idea: 'Fine-tuning adds a small head on BERT\'s [CLS] vector and trains it, and the whole model, on labeled reviews (外卖 reviews: 1 positive, 0 negative).',
    input: '送餐很快，味道也很好，下次还会再点。', sentence: '送餐很快，味道也很好，下次还会再点。', batch: null,
  },
  {
    id: 'zero-shot', title: 'Sentiment by prompting, zero-shot (GPT)', model: 'gpt',
    idea: 'No training: the review goes into a template and the label whose word the GPT finds more likely after "Sentiment:" wins.',
    input: '', sentence: 'Review: I love this pair of shoes.', batch: null,
  },
  {
    id: 'few-shot', title: 'Few-shot prompting (GPT)', model: 'gpt',
    idea: 'K labeled examples per class go in front of the review (in-context learning). Accuracy by K on a dozen sample reviews: a Shakespeare model this small is near chance, which is the lesson.',
    input: '', sentence: 'Review: I love this pair of shoes.', batch: null,
  },
];

/** The engine's answer of one card, by kind. */
export type CardAnswer =
  | { kind: 'generate'; result: CommandResult<'prompt.generate'> }
  | { kind: 'fill'; result: CommandResult<'mask.fill'> }
  | { kind: 'translate'; result: CommandResult<'seq2seq.translate'> }
  | { kind: 'classify'; result: CommandResult<'classify.predict'> }
  | { kind: 'prompt'; result: CommandResult<'prompt.classify'>; text: string; label: string };

/** The assets folder holding a demo run: <assets>/demo-models/<name> → <assets>. */
export function assetsDirOf(runDir: string): string {
  return runDir.replace(/[\\/]+$/, '').replace(/[\\/][^\\/]+[\\/][^\\/]+$/, '');
}

export function samplePath(runDir: string, file: keyof typeof SAMPLE_FILES): string {
  const sep = runDir.includes('\\') && !runDir.includes('/') ? '\\' : '/';
  return [assetsDirOf(runDir), 'sample-corpus', SAMPLE_FILES[file]].join(sep);
}

/** The prompt.classify request of the zero- or few-shot card (the e2e test sends the same). */
export function promptParams(runDir: string, card: 'zero-shot' | 'few-shot', generationId: string): CommandParams<'prompt.classify'> {
  const few = card === 'few-shot';
  return {
    generationId, runDir, data: samplePath(runDir, 'reviews'), offset: 0, limit: few ? FEW_SHOT_ROWS : 1,
    ...PROMPT_FORMAT, shots: few ? FEW_SHOT_K : [0], seeds: [1], method: 'likelihood',
  };
}

/** The label a single-row prompt.classify predicted: the column of its one confusion count. */
export function predictedLabel(result: CommandResult<'prompt.classify'>, classes: readonly string[]): string | null {
  for (const row of result.results[0]?.confusion ?? []) {
    const col = row.findIndex((n) => n > 0);
    if (col >= 0) return classes[col] ?? null;
  }
  return null;
}

/** The request each card sends, by command (the e2e test sends the same ones). */
export function generateParams(card: TourCard, runDir: string, generationId: string): CommandParams<'prompt.generate'> {
  return { generationId, runDir, prompt: card.input, maxNewTokens: 60, temperature: 0, seed: 1, candidates: 5 };
}

export function fillParams(card: TourCard, runDir: string): CommandParams<'mask.fill'> {
  return { runDir, text: card.input, topK: 5 };
}

export function translateParams(card: TourCard, runDir: string): CommandParams<'seq2seq.translate'> {
  return { runDir, source: card.input, beams: 1, maxLength: 16 };
}

export function classifyParams(card: TourCard, runDir: string): CommandParams<'classify.predict'> {
  return { runDir, text: card.input };
}
