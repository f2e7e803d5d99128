// The Prompt tab's generation: which GPT run (and checkpoint), the prompt and sampling settings,
// and the text as it streams in from `prompt.tokens` events ($state.raw pieces, replaced whole).
// One generation at a time; Cancel sends prompt.cancel with the id this state chose, and the
// reply (reason 'aborted') ends it like any other.
import type { CommandParams, CommandResult, StudioEvent } from '../../protocol/index.ts';
import type { StudioApi } from '../api/index.ts';

export type GenerationResult = CommandResult<'prompt.generate'>;

export interface PromptSettings {
  maxNewTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  /** One stop string per line. */
  stop: string;
  /** null = a random seed (reported back). */
  seed: number | null;
}

export const DEFAULT_SETTINGS: PromptSettings = { maxNewTokens: 100, temperature: 0.8, topK: 50, topP: 1, repetitionPenalty: 1, stop: '', seed: null };

export class PromptState {
  runDir = $state('');
  step = $state<number | null>(null);
  prompt = $state('');
  settings = $state<PromptSettings>({ ...DEFAULT_SETTINGS });
  /** Streamed text of the generation in progress (or the last one). */
  text = $state('');
  /** Streamed ids, in order. */
  ids = $state.raw<number[]>([]);
  result = $state.raw<GenerationResult | null>(null);
  running = $state(false);
  showIds = $state(false);
  /** Ask for each token's probability and top candidates (shown under the text). */
  showProbabilities = $state(false);
  error = $state<string | null>(null);
  #generationId: string | null = null;
  #count = 0;

  constructor(private readonly api: StudioApi) {}

  /** The command's params from the current choices; throws naming a bad setting. */
  params(generationId: string): CommandParams<'prompt.generate'> {
    const s = this.settings;
    const stop = s.stop.split('\n').map((l) => l.replaceAll('\\n', '\n')).filter((l) => l !== '');
    return {
      generationId, runDir: this.runDir, prompt: this.prompt, maxNewTokens: s.maxNewTokens, temperature: s.temperature,
      topK: s.topK, topP: s.topP, repetitionPenalty: s.repetitionPenalty, stop,
      ...(this.step !== null ? { step: this.step } : {}), ...(s.seed !== null ? { seed: s.seed } : {}),
      ...(this.showProbabilities ? { candidates: 5 } : {}),
    };
  }

  async generate(): Promise<void> {
    if (this.running) return;
    if (!this.runDir) {
      this.error = 'Choose a GPT run (objective clm) first.';
      return;
    }
    const id = `gen-${Date.now().toString(36)}-${++this.#count}`;
    this.#generationId = id;
    this.running = true;
    this.error = null;
    this.result = null;
    this.text = '';
    this.ids = [];
    const off = this.api.on((e: StudioEvent) => {
      if (e.type !== 'prompt.tokens' || e.generationId !== id) return;
      this.text += e.text;
      this.ids = [...this.ids, ...e.ids];
    });
    try {
      const result = await this.api.call('prompt.generate', this.params(id));
      this.result = result;
      this.text = result.text; // the reply is the whole truth (events may be dropped on reconnect)
      this.ids = result.generated.map((p) => p.id);
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      off();
      this.running = false;
      this.#generationId = null;
    }
  }

  async cancel(): Promise<void> {
    const id = this.#generationId;
    if (!id) return;
    try {
      await this.api.call('prompt.cancel', { generationId: id });
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
  }
}

const states = new WeakMap<StudioApi, PromptState>();

/** The Prompt tab's state for an API connection: kept across page switches. */
export function promptStateFor(api: StudioApi): PromptState {
  let state = states.get(api);
  if (!state) states.set(api, (state = new PromptState(api)));
  return state;
}
