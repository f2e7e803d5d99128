// The engine's objective registry as the renderer knows it (model.objectives): the cards, labels
// for runs, the charts and what evaluation writes for a run of each. Asked once; every page reads
// this instead of keeping its own list of objectives.
import type { ObjectiveInfoWire } from '../../protocol/commands/model-objectives.ts';
import type { StudioApi } from '../api/index.ts';

export type ObjectiveInfo = ObjectiveInfoWire;
export type ObjectiveCharts = ObjectiveInfoWire['charts'];

/** Any run has a loss and, when it evaluates, a validation loss: shown until the registry answers (or for an id it no longer has). */
const FALLBACK_CHARTS: ObjectiveCharts = {
  loss: [{ label: 'train loss', split: 'train', name: 'loss' }, { label: 'validation loss', split: 'val', name: 'valLoss', dashed: true }],
  perplexity: [{ label: 'validation perplexity', split: 'val', name: 'valPerplexity', dashed: true }],
  accuracy: [{ label: 'train accuracy', split: 'train', name: 'accuracy' }],
};

export class ObjectiveCatalog {
  list = $state.raw<ObjectiveInfo[]>([]);
  error = $state<string | null>(null);
  private loading: Promise<void> | null = null;

  constructor(private readonly api: StudioApi) {}

  /** Asks the engine once; later calls share the answer. */
  load(): Promise<void> {
    this.loading ??= this.api.call('model.objectives', {}).then(
      (r) => { this.list = r.objectives; this.error = null; },
      (error: unknown) => { this.loading = null; this.error = error instanceof Error ? error.message : String(error); throw error; },
    );
    return this.loading;
  }

  find(id: string): ObjectiveInfo | undefined {
    return this.list.find((o) => o.id === id);
  }

  /** 'Causal LM (GPT)'; an id the registry does not know shows as itself. */
  label(id: string): string {
    const o = this.find(id);
    return o ? `${o.title} (${o.family})` : id;
  }

  charts(id: string): ObjectiveCharts {
    return this.find(id)?.charts ?? FALLBACK_CHARTS;
  }
}
