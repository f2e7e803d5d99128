// The textbook tour: one card per idea of the chapter, each run on a built-in demo model
// (assets/demo-models, listed by run.list with `demo: true`) through the same protocol command
// the matching playground uses, so what a card shows is the engine's own answer. A card's
// answer is kept per card ($state.raw, replaced whole) and survives page switches.
import type { CommandResult } from '../../protocol/index.ts';
import type { RunEntry } from '../../protocol/commands/run-types.ts';
import type { StudioApi } from '../api/index.ts';
import { classifyParams, fillParams, generateParams, PROMPT_FORMAT, predictedLabel, promptParams, translateParams, samplePath, TOUR_MODELS, type CardAnswer, type CardId, type TourCard, type TourModel } from './tour-cards.ts';

export { TOUR_CARDS, type CardAnswer, type TourCard } from './tour-cards.ts';

export class TourState {
  answers = $state.raw<Partial<Record<CardId, CardAnswer>>>({});
  errors = $state.raw<Partial<Record<CardId, string>>>({});
  running = $state.raw<ReadonlySet<CardId>>(new Set());
  batches = $state.raw<Partial<Record<CardId, CommandResult<'batch.preview'>>>>({});
  #count = 0;

  constructor(private readonly api: StudioApi) {}

  /** The demo run of a role, if the engine lists it. */
  model(runs: readonly RunEntry[], role: TourModel): RunEntry | undefined {
    return runs.find((r) => r.demo && r.name === TOUR_MODELS[role]);
  }

  async run(card: TourCard, runDir: string): Promise<void> {
    if (this.running.has(card.id)) return;
    this.running = new Set([...this.running, card.id]);
    this.errors = { ...this.errors, [card.id]: undefined };
    try {
      const answer = await this.ask(card, runDir);
      this.answers = { ...this.answers, [card.id]: answer };
    } catch (error) {
      this.errors = { ...this.errors, [card.id]: error instanceof Error ? error.message : String(error) };
    } finally {
      this.running = new Set([...this.running].filter((id) => id !== card.id));
    }
  }

  private async ask(card: TourCard, runDir: string): Promise<CardAnswer> {
    switch (card.id) {
      case 'next-token':
        return { kind: 'generate', result: await this.api.call('prompt.generate', generateParams(card, runDir, this.id('tour-gen'))) };
      case 'mask-cat':
      case 'mask-paris':
        return { kind: 'fill', result: await this.api.call('mask.fill', fillParams(card, runDir)) };
      case 'infill':
        return { kind: 'translate', result: await this.api.call('seq2seq.translate', translateParams(card, runDir)) };
      case 'finetuned':
        return { kind: 'classify', result: await this.api.call('classify.predict', classifyParams(card, runDir)) };
      case 'zero-shot':
      case 'few-shot': {
        const result = await this.api.call('prompt.classify', promptParams(runDir, card.id, this.id('tour-cls')));
        const first = result.results[0];
        return { kind: 'prompt', result, text: first?.examplePrompt ?? '', label: predictedLabel(result, PROMPT_FORMAT.classes) ?? '' };
      }
    }
  }

  /** The card's objective on the sample corpus: a real step-0 batch, as the trainer draws it. */
  async loadBatch(card: TourCard, run: RunEntry): Promise<void> {
    if (!card.batch || !run.model) return;
    try {
      const result = await this.api.call('batch.preview', {
        objective: card.batch.objective, corpus: [samplePath(run.runDir, card.batch.corpus)], tokenizer: 'char', vocabSize: 4096,
        valFraction: 0.1, split: 'document', blockSize: Math.min(run.model.blockSize, 48), rows: 2, seed: 1337,
      });
      this.batches = { ...this.batches, [card.id]: result };
    } catch (error) {
      this.errors = { ...this.errors, [card.id]: error instanceof Error ? error.message : String(error) };
    }
  }

  private id(prefix: string): string {
    return `${prefix}-${Date.now().toString(36)}-${++this.#count}`;
  }
}

const states = new WeakMap<StudioApi, TourState>();

export function tourStateFor(api: StudioApi): TourState {
  let state = states.get(api);
  if (!state) states.set(api, (state = new TourState(api)));
  return state;
}
