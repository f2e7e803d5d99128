// The fill-mask playground's choices and answer: which BERT run (and checkpoint), the text with
// its [MASK]s, an optional next sentence for the NSP head, and the engine's candidates
// ($state.raw: replaced whole). A request id drops answers that a newer request overtook.
import type { CommandResult } from '../../protocol/index.ts';
import type { StudioApi } from '../api/index.ts';

export type FillMaskResult = CommandResult<'mask.fill'>;

export const DEFAULT_TEXT = 'The capital of France is [MASK].';

export class FillMaskState {
  text = $state(DEFAULT_TEXT);
  next = $state('');
  topK = $state(5);
  runDir = $state('');
  step = $state<number | null>(null);
  result = $state.raw<FillMaskResult | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  #request = 0;

  constructor(private readonly api: StudioApi) {}

  async fill(): Promise<void> {
    if (!this.runDir) {
      this.error = 'Choose a BERT run (objective mlm or mlm+nsp) first.';
      return;
    }
    if (!this.text.includes('[MASK]') && !this.next.trim()) {
      this.error = 'Put at least one [MASK] in the text, or a next sentence to score.';
      return;
    }
    const id = ++this.#request;
    this.loading = true;
    this.error = null;
    try {
      const result = await this.api.call('mask.fill', {
        runDir: this.runDir, text: this.text, topK: this.topK,
        ...(this.step !== null ? { step: this.step } : {}),
        ...(this.next.trim() ? { next: this.next.trim() } : {}),
      });
      if (id === this.#request) this.result = result;
    } catch (error) {
      if (id === this.#request) this.error = error instanceof Error ? error.message : String(error);
    } finally {
      if (id === this.#request) this.loading = false;
    }
  }
}

const states = new WeakMap<StudioApi, FillMaskState>();

/** The playground's state for an API connection: kept across page switches. */
export function fillMaskStateFor(api: StudioApi): FillMaskState {
  let state = states.get(api);
  if (!state) states.set(api, (state = new FillMaskState(api)));
  return state;
}
