// The corpus the person works with. Until they import their own, it is the built-in sample corpus
// (assets/sample-corpus), listed by the engine host.
import type { SampleFile } from '../../protocol/index.ts';
import type { StudioApi } from '../api/index.ts';

export class CorpusState {
  samples = $state.raw<SampleFile[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);

  readonly totalBytes = $derived(this.samples.reduce((sum, file) => sum + file.bytes, 0));

  constructor(private readonly api: StudioApi) {}

  async loadSamples(): Promise<void> {
    try {
      this.samples = (await this.api.call('corpus.samples', {})).files;
      this.error = null;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.loaded = true;
    }
  }
}
