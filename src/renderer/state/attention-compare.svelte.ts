// Compare on the Attention page: one sentence under two sets of weights (two checkpoints or
// snapshots of a run, or of two runs with the same tokenizer), and the engine's difference b − a.
import type { CompareSource } from '../../protocol/commands/attention-compare.ts';
import type { AttentionResult } from '../../protocol/commands/attention-types.ts';
import type { StudioApi } from '../api/index.ts';
import type { AttentionPart } from './attention.svelte.ts';

export interface CompareSide {
  runDir: string;
  /** 'snapshot:N' or 'checkpoint:N' (the select's value), '' = not chosen. */
  at: string;
}

export interface CompareResult {
  a: AttentionResult;
  b: AttentionResult;
  diff: Float32Array[];
  /** Encoder-decoders: the differences of the decoder self-attention and the cross-attention. */
  diffDecoder?: Float32Array[];
  diffCross?: Float32Array[];
}

/** A side as the command takes it, or why it cannot be asked yet. */
export function compareSource(side: CompareSide, label: string): CompareSource | string {
  if (!side.runDir) return `Choose the run of ${label}.`;
  const m = /^(snapshot|checkpoint):(\d+)$/.exec(side.at);
  if (!m) return `Choose the step of ${label}.`;
  return { kind: m[1] as 'snapshot' | 'checkpoint', runDir: side.runDir, step: Number(m[2]) };
}

export class CompareState {
  a = $state<CompareSide>({ runDir: '', at: '' });
  b = $state<CompareSide>({ runDir: '', at: '' });
  sentence = $state('');
  /** The layer and head drawn (the engine returns all of them). */
  layer = $state(0);
  head = $state(0);
  /** An encoder-decoder's part: encoder self, decoder self or cross. */
  part = $state<AttentionPart>('encoder');
  result = $state.raw<CompareResult | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  #request = 0;

  constructor(private readonly api: StudioApi) {}

  async compare(): Promise<void> {
    const a = compareSource(this.a, 'A');
    const b = compareSource(this.b, 'B');
    const problem = typeof a === 'string' ? a : typeof b === 'string' ? b : !this.sentence.trim() ? 'Enter a sentence.' : null;
    if (problem || typeof a === 'string' || typeof b === 'string') {
      this.error = problem;
      return;
    }
    const id = ++this.#request;
    this.loading = true;
    try {
      const result = await this.api.call('attention.compare', { a, b, sentence: this.sentence.trim() });
      if (id !== this.#request) return;
      this.result = result;
      if (this.layer >= result.a.nLayer) this.layer = 0;
      if (this.head >= result.a.nHead) this.head = 0;
      this.error = null;
    } catch (error) {
      if (id === this.#request) this.error = error instanceof Error ? error.message : String(error);
    } finally {
      if (id === this.#request) this.loading = false;
    }
  }
}

const states = new WeakMap<StudioApi, CompareState>();

export function compareStateFor(api: StudioApi): CompareState {
  let state = states.get(api);
  if (!state) states.set(api, (state = new CompareState(api)));
  return state;
}
