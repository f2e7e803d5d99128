// The encoder-decoder playground's choices and answer: which run (bart, t5-span or seq2seq) and
// checkpoint, the source text, greedy or beam search (width, length penalty, max length), and the
// engine's seq2seq.translate reply ($state.raw: replaced whole). The source follows the chosen
// run's objective (a corrupted probe for the denoisers, a sentence for translation) until the user
// edits it. A request id drops answers that a newer request overtook.
import type { CommandParams, CommandResult } from '../../protocol/index.ts';
import type { StudioApi } from '../api/index.ts';

export type TranslateResult = CommandResult<'seq2seq.translate'>;

/** The encoder-decoder objectives, and the source each starts with (corrupted as the objective corrupts). */
export const SEQ2SEQ_OBJECTIVES = ['bart', 't5-span', 'seq2seq'] as const;
export const DEFAULT_SOURCE: Record<(typeof SEQ2SEQ_OBJECTIVES)[number], string> = {
  bart: '天气[MASK]好。',
  't5-span': '天气<extra_id_0>好。',
  seq2seq: 'I love you.',
};

export function defaultSource(objective: string): string {
  return (DEFAULT_SOURCE as Record<string, string>)[objective] ?? DEFAULT_SOURCE.seq2seq;
}

export class Seq2SeqState {
  runDir = $state('');
  step = $state<number | null>(null);
  source = $state('');
  /** True once the user typed a source: choosing another run then keeps it. */
  edited = $state(false);
  search = $state<'greedy' | 'beam'>('greedy');
  beams = $state(4);
  lengthPenalty = $state(1);
  maxLength = $state(64);
  result = $state.raw<TranslateResult | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  #request = 0;

  constructor(private readonly api: StudioApi) {}

  chooseRun(runDir: string, objective: string): void {
    this.runDir = runDir;
    this.step = null;
    if (!this.edited) this.source = defaultSource(objective);
  }

  setSource(text: string): void {
    this.source = text;
    this.edited = true;
  }

  /** The command's params from the current choices. */
  params(): CommandParams<'seq2seq.translate'> {
    return {
      runDir: this.runDir, source: this.source, beams: this.search === 'beam' ? this.beams : 1,
      lengthPenalty: this.lengthPenalty, maxLength: this.maxLength, ...(this.step !== null ? { step: this.step } : {}),
    };
  }

  async translate(): Promise<void> {
    if (!this.runDir) {
      this.error = 'Choose an encoder-decoder run (objective bart, t5-span or seq2seq) first.';
      return;
    }
    if (!this.source.trim()) {
      this.error = 'Type a source text to reconstruct or translate.';
      return;
    }
    const id = ++this.#request;
    this.loading = true;
    this.error = null;
    try {
      const result = await this.api.call('seq2seq.translate', this.params());
      if (id === this.#request) this.result = result;
    } catch (error) {
      if (id === this.#request) this.error = error instanceof Error ? error.message : String(error);
    } finally {
      if (id === this.#request) this.loading = false;
    }
  }
}

const states = new WeakMap<StudioApi, Seq2SeqState>();

/** The playground's state for an API connection: kept across page switches. */
export function seq2seqStateFor(api: StudioApi): Seq2SeqState {
  let state = states.get(api);
  if (!state) states.set(api, (state = new Seq2SeqState(api)));
  return state;
}
