// The embedding projector's choices and data: which run and checkpoint, token embeddings or a
// sentence's contextual ones, PCA or UMAP, 2D or 3D; the engine's projection ($state.raw: replaced
// whole); the searched token and its nearest neighbours; the 3D camera. Request ids drop answers
// that a newer request overtook (the step slider can outrun the engine).
import type { CommandParams, CommandResult } from '../../protocol/index.ts';
import type { StudioApi } from '../api/index.ts';
import type { Camera } from '../lib/projector/geometry.ts';

export type Projection = CommandResult<'embeddings.project'>;
export type Neighbours = CommandResult<'embeddings.neighbours'>;
export type EmbeddingKind = 'tokens' | 'sentence';

export const DEFAULT_SENTENCE = '猫在垫子上睡觉。The cat sat on the mat.';

/** Where a search text finds its point: an exact token or text first, then the text ignoring case. */
export function findPoint(points: Projection['points'], query: string): number | null {
  const q = query.trim();
  if (!q) return null;
  const exact = points.findIndex((p) => p.text === q || p.token === q);
  if (exact >= 0) return exact;
  const lower = q.toLowerCase();
  const loose = points.findIndex((p) => p.text.toLowerCase() === lower);
  return loose >= 0 ? loose : null;
}

export class ProjectorState {
  runDir = $state('');
  /** The checkpoint shown; null: the latest. */
  step = $state<number | null>(null);
  kind = $state<EmbeddingKind>('tokens');
  sentence = $state(DEFAULT_SENTENCE);
  method = $state<'pca' | 'umap'>('pca');
  dims = $state<2 | 3>(2);
  result = $state.raw<Projection | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);

  search = $state('');
  /** The searched point (an index into result.points). */
  selected = $state<number | null>(null);
  neighbours = $state.raw<Neighbours | null>(null);
  searchError = $state<string | null>(null);
  camera = $state<Camera>({ yaw: 0.6, pitch: 0.35 });

  #request = 0;
  #neighbourRequest = 0;

  constructor(private readonly api: StudioApi) {}

  /** What the engine is asked for: the same set for the projection and the neighbours. */
  private setParams(): Pick<CommandParams<'embeddings.project'>, 'runDir' | 'step' | 'source'> {
    return {
      runDir: this.runDir,
      ...(this.step !== null ? { step: this.step } : {}),
      source: this.kind === 'tokens' ? { kind: 'tokens' } : { kind: 'sentence', text: this.sentence.trim() },
    };
  }

  async project(): Promise<void> {
    if (!this.runDir) {
      this.error = 'Choose a run with a checkpoint first.';
      return;
    }
    if (this.kind === 'sentence' && !this.sentence.trim()) {
      this.error = 'Enter a sentence whose tokens to show.';
      return;
    }
    const id = ++this.#request;
    this.loading = true;
    this.error = null;
    try {
      const result = await this.api.call('embeddings.project', { ...this.setParams(), method: this.method, dims: this.dims });
      if (id !== this.#request) return;
      this.result = result;
      // Keep the searched token across checkpoints: find it again in the new set.
      if (this.search.trim()) await this.find(this.search);
      else this.clearSearch();
    } catch (error) {
      if (id === this.#request) this.error = message(error);
    } finally {
      if (id === this.#request) this.loading = false;
    }
  }

  /** Shows checkpoint `step` with the same choices (the slider). */
  async showStep(step: number): Promise<void> {
    this.step = step;
    await this.project();
  }

  /** Highlights the token `query` and lists its nearest neighbours (cosine, full dimension). */
  async find(query: string): Promise<void> {
    this.search = query;
    const result = this.result;
    if (!result) return;
    const index = findPoint(result.points, query);
    if (index === null) {
      this.clearSearch();
      this.searchError = query.trim() ? `“${query.trim()}” is not among the ${result.points.length} tokens shown.` : null;
      return;
    }
    this.selected = index;
    this.searchError = null;
    const id = ++this.#neighbourRequest;
    try {
      const neighbours = await this.api.call('embeddings.neighbours', { ...this.setParams(), step: result.step, index, k: 10 });
      if (id === this.#neighbourRequest) this.neighbours = neighbours;
    } catch (error) {
      if (id === this.#neighbourRequest) this.searchError = message(error);
    }
  }

  private clearSearch(): void {
    this.selected = null;
    this.neighbours = null;
    this.searchError = null;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const states = new WeakMap<StudioApi, ProjectorState>();

/** The projector's state for this connection: it survives switching pages. */
export function projectorStateFor(api: StudioApi): ProjectorState {
  let state = states.get(api);
  if (!state) states.set(api, (state = new ProjectorState(api)));
  return state;
}
