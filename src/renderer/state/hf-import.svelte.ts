// The "Import a Hugging Face checkpoint" form on the Runs page: the folder (typed, or picked in
// the desktop app, where a picked file's host path is known), the run's name, the engine's
// progress events and its summary ($state.raw: replaced whole).
import type { CommandResult, StudioEvent } from '../../protocol/index.ts';
import type { StudioApi } from '../api/index.ts';

export type ImportSummary = CommandResult<'run.import'>;

export class HfImportState {
  from = $state('');
  name = $state('');
  running = $state(false);
  progress = $state.raw<{ phase: string; fraction: number } | null>(null);
  result = $state.raw<ImportSummary | null>(null);
  error = $state<string | null>(null);
  #count = 0;

  constructor(private readonly api: StudioApi) {}

  /** The folder holding a picked file (config.json or any file of the checkpoint), if the host path is known. */
  pickFromFile(file: File): void {
    const path = window.studioFiles?.pathForFile(file) ?? '';
    if (!path) {
      this.error = 'This window cannot see where picked files live (it is not the desktop app): type the folder path instead.';
      return;
    }
    this.from = path.replace(/[\\/][^\\/]*$/, '');
    this.error = null;
  }

  async start(): Promise<ImportSummary | null> {
    const from = this.from.trim();
    if (!from) {
      this.error = 'Give the checkpoint folder (it holds config.json and model.safetensors).';
      return null;
    }
    const importId = `import-${Date.now().toString(36)}-${++this.#count}`;
    this.running = true;
    this.error = null;
    this.result = null;
    this.progress = { phase: 'starting', fraction: 0 };
    const off = this.api.on((e: StudioEvent) => {
      if (e.type === 'import.progress' && e.importId === importId) this.progress = { phase: e.phase, fraction: e.fraction };
    });
    try {
      this.result = await this.api.call('run.import', { importId, from, ...(this.name.trim() ? { name: this.name.trim() } : {}) });
      return this.result;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
      return null;
    } finally {
      off();
      this.running = false;
      this.progress = null;
    }
  }
}

const states = new WeakMap<StudioApi, HfImportState>();

/** The form's state for an API connection: kept across page switches. */
export function hfImportStateFor(api: StudioApi): HfImportState {
  let state = states.get(api);
  if (!state) states.set(api, (state = new HfImportState(api)));
  return state;
}
