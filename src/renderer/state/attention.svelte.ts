// The attention explorer's choices and data: the sentences, where the weights come from (the live
// run, a checkpoint, or the snapshots saved while a run trained), the maps the engine returned
// ($state.raw: replaced whole), and which sentence, layer, head and view are shown.
import type { AttentionResult } from '../../protocol/commands/attention-types.ts';
import type { StudioApi } from '../api/index.ts';
import type { HeadChoice } from '../lib/attention/view.ts';
import type { AttentionLayer } from '../lib/attention/types.ts';

export type AttentionSource = 'live' | 'checkpoint' | 'snapshots';
export type AttentionViewKind = 'heatmap' | 'lines' | 'grid';
/** Which attention of an encoder-decoder: encoder self, decoder self, or cross (decoder queries × encoder keys). */
export type AttentionPart = 'encoder' | 'decoder' | 'cross';

export const DEFAULT_SENTENCES = '猫在垫子上睡觉\nThe cat sat on the mat';

/**
 * One sentence's maps as the view components take them, per layer: [heads, t, t]; for an
 * encoder-decoder, the part asked for (cross: [heads, decoder tokens, encoder tokens]).
 */
export function layersOf(result: AttentionResult, sentence: number, part: AttentionPart = 'encoder'): AttentionLayer[] {
  const s = result.sentences[sentence];
  if (!s) return [];
  const t = s.ids.length;
  const tt = s.target?.ids.length ?? t;
  if (part === 'decoder' && s.decoder) return s.decoder.map((probs) => ({ probs, heads: result.nHead, tq: tt, tk: tt }));
  if (part === 'cross' && s.cross) return s.cross.map((probs) => ({ probs, heads: result.nHead, tq: tt, tk: t }));
  return s.layers.map((probs) => ({ probs, heads: result.nHead, tq: t, tk: t }));
}

/** The query and key tokens of a part: the decoder's input for decoder queries, the encoder's for keys of cross. */
export function partTokens<T>(source: T[], target: T[] | undefined, part: AttentionPart): { query: T[]; key: T[] } {
  if (!target || part === 'encoder') return { query: source, key: source };
  return part === 'decoder' ? { query: target, key: target } : { query: target, key: source };
}

export class AttentionState {
  sentencesText = $state(DEFAULT_SENTENCES);
  source = $state<AttentionSource>('live');
  /** The run whose checkpoint or snapshots are shown. */
  runDir = $state('');
  checkpointStep = $state<number | null>(null);
  result = $state.raw<AttentionResult | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);

  sentence = $state(0);
  layer = $state(0);
  head = $state<HeadChoice>(0);
  view = $state<AttentionViewKind>('heatmap');
  part = $state<AttentionPart>('encoder');
  hideSpecials = $state(true);

  snapshotSteps = $state.raw<number[]>([]);
  snapshotSentences = $state.raw<string[]>([]);
  snapshotStep = $state(0);
  #snapshotCache = new Map<string, AttentionResult>();
  #request = 0;

  constructor(private readonly api: StudioApi) {}

  sentences(): string[] {
    return this.sentencesText.split('\n').map((s) => s.trim()).filter(Boolean).slice(0, 8);
  }

  /** Runs the sentences through the live model or the chosen checkpoint. */
  async inspect(): Promise<void> {
    const sentences = this.sentences();
    if (sentences.length === 0) {
      this.error = 'Enter at least one sentence.';
      return;
    }
    const source =
      this.source === 'checkpoint'
        ? { kind: 'checkpoint' as const, runDir: this.runDir, ...(this.checkpointStep !== null ? { step: this.checkpointStep } : {}) }
        : { kind: 'live' as const };
    if (source.kind === 'checkpoint' && !source.runDir) {
      this.error = 'Choose a run first.';
      return;
    }
    await this.load(() => this.api.call('attention.inspect', { source, sentences }));
  }

  /** Lists the snapshots saved with a run; shows the latest (or keeps the step shown). */
  async loadSnapshots(runDir: string, keepStep = false): Promise<void> {
    this.runDir = runDir;
    try {
      const list = await this.api.call('attention.snapshots', { runDir });
      this.snapshotSteps = list.steps;
      this.snapshotSentences = list.sentences;
      this.error = list.steps.length ? null : 'This run saved no attention snapshots (turn them on before starting a run).';
      if (list.steps.length === 0) return;
      const step = keepStep && list.steps.includes(this.snapshotStep) ? this.snapshotStep : list.steps[list.steps.length - 1];
      await this.showSnapshot(step);
    } catch (error) {
      this.error = message(error);
    }
  }

  async showSnapshot(step: number): Promise<void> {
    this.snapshotStep = step;
    const key = `${this.runDir}#${step}`;
    const cached = this.#snapshotCache.get(key);
    if (cached) {
      this.show(cached);
      return;
    }
    await this.load(async () => {
      const result = await this.api.call('attention.snapshot', { runDir: this.runDir, step });
      this.#snapshotCache.set(key, result);
      return result;
    });
  }

  private async load(fetch: () => Promise<AttentionResult>): Promise<void> {
    const id = ++this.#request;
    this.loading = true;
    try {
      const result = await fetch();
      if (id !== this.#request) return; // a newer request won
      this.show(result);
      this.error = null;
    } catch (error) {
      if (id === this.#request) this.error = message(error);
    } finally {
      if (id === this.#request) this.loading = false;
    }
  }

  private show(result: AttentionResult): void {
    this.result = result;
    if (this.sentence >= result.sentences.length) this.sentence = 0;
    if (this.layer >= result.nLayer) this.layer = 0;
    if (typeof this.head === 'number' && this.head >= result.nHead) this.head = 0;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const states = new WeakMap<StudioApi, AttentionState>();

/** The explorer's state for this connection: it survives switching pages. */
export function attentionStateFor(api: StudioApi): AttentionState {
  let state = states.get(api);
  if (!state) states.set(api, (state = new AttentionState(api)));
  return state;
}
