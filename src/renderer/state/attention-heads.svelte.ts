// The head summary of the snapshot shown on the Attention page: the engine's per-head statistics
// over the run's probe sentences (attention.heads), and how the table is sorted.
import type { HeadStatResult } from '../../protocol/commands/attention-heads.ts';
import type { StudioApi } from '../api/index.ts';

export type HeadSortKey = 'layer' | 'entropy' | 'distance' | 'cls' | 'sep' | 'first';

export interface HeadSummary {
  runDir: string;
  step: number;
  kind: string;
  sentences: string[];
  heads: HeadStatResult[];
}

/** Rows in the chosen order; null shares ([CLS] absent) sort last either way. Ties keep layer, head order. */
export function sortHeads(heads: readonly HeadStatResult[], key: HeadSortKey, descending: boolean): HeadStatResult[] {
  const value = (h: HeadStatResult): number | null => (key === 'layer' ? h.layer * 1e6 + h.head : h[key]);
  return [...heads].sort((a, b) => {
    const va = value(a), vb = value(b);
    if (va === null || vb === null) return va === vb ? 0 : va === null ? 1 : -1;
    const d = descending ? vb - va : va - vb;
    return d !== 0 ? d : a.layer - b.layer || a.head - b.head;
  });
}

export class HeadSummaryState {
  summary = $state.raw<HeadSummary | null>(null);
  error = $state<string | null>(null);
  sortKey = $state<HeadSortKey>('layer');
  descending = $state(false);
  #request = 0;

  constructor(private readonly api: StudioApi) {}

  readonly rows = $derived(this.summary ? sortHeads(this.summary.heads, this.sortKey, this.descending) : []);

  /** Sorts by `key`; the same key again flips the order. */
  sortBy(key: HeadSortKey): void {
    if (this.sortKey === key) this.descending = !this.descending;
    else {
      this.sortKey = key;
      this.descending = key !== 'layer'; // the largest statistic first: what stands out
    }
  }

  async load(runDir: string, step: number): Promise<void> {
    if (this.summary?.runDir === runDir && this.summary.step === step) return;
    const id = ++this.#request;
    try {
      const result = await this.api.call('attention.heads', { runDir, step });
      if (id !== this.#request) return;
      this.summary = { runDir, step, kind: result.kind, sentences: result.sentences, heads: result.heads };
      this.error = null;
    } catch (error) {
      if (id === this.#request) this.error = error instanceof Error ? error.message : String(error);
    }
  }

  clear(): void {
    ++this.#request;
    this.summary = null;
  }
}

const states = new WeakMap<StudioApi, HeadSummaryState>();

export function headSummaryFor(api: StudioApi): HeadSummaryState {
  let state = states.get(api);
  if (!state) states.set(api, (state = new HeadSummaryState(api)));
  return state;
}
