// The Prompt tab's classification by prompting: a labeled file on the engine's machine, the
// template and a label word per class, the K values and seeds, and the engine's answer per
// (K, seed) ($state.raw, replaced whole). Progress comes from prompt.progress events; Cancel
// sends prompt.cancel. A preview shows the exact prompt a text gets before anything is scored.
import type { CommandParams, CommandResult, StudioEvent } from '../../protocol/index.ts';
import type { StudioApi } from '../api/index.ts';

export type ClassifyResult = CommandResult<'prompt.classify'>;
export type PreviewResult = CommandResult<'prompt.preview'>;

/** "0= negative" lines → classes and label words (the word keeps its leading space). */
export function parseLabels(text: string): { classes: string[]; words: string[] } {
  const classes: string[] = [], words: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const eq = line.indexOf('=');
    if (eq <= 0 || eq === line.length - 1) throw new Error(`label line ${i + 1} ('${line}'): expected <class>=<word>, e.g. '1= positive'`);
    classes.push(line.slice(0, eq).trim());
    words.push(line.slice(eq + 1).replaceAll('\\n', '\n'));
  });
  if (classes.length < 2) throw new Error('give at least two label lines, one per class');
  return { classes, words };
}

/** "0, 1, 2" → [0, 1, 2]; throws naming the field. */
export function parseInts(text: string, what: string): number[] {
  const out = text.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (out.length === 0 || out.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`${what}: whole numbers separated by commas, e.g. 0, 1, 2, 4, 8`);
  return out;
}

export class ClassifyState {
  data = $state('');
  offset = $state(0);
  limit = $state(200);
  template = $state('Review: {text}\nSentiment:');
  labels = $state('0= negative\n1= positive');
  shots = $state('0, 1, 2, 4, 8');
  seeds = $state('1');
  method = $state<'likelihood' | 'generate'>('likelihood');
  normalize = $state(false);
  calibrate = $state(false);
  previewText = $state('');
  previewK = $state(1);
  result = $state.raw<ClassifyResult | null>(null);
  preview = $state.raw<PreviewResult | null>(null);
  progress = $state.raw<{ done: number; total: number } | null>(null);
  running = $state(false);
  error = $state<string | null>(null);
  #jobId: string | null = null;
  #count = 0;

  constructor(private readonly api: StudioApi) {}

  private common(runDir: string) {
    const { classes, words } = parseLabels(this.labels);
    if (!this.template.includes('{text}')) throw new Error('the template needs {text} where the input goes');
    if (!this.data.trim()) throw new Error('give the path of a labeled .csv, .tsv or .jsonl file');
    return { runDir, data: this.data.trim(), offset: this.offset, limit: this.limit, template: this.template, classes, words };
  }

  params(runDir: string, generationId: string, step: number | null): CommandParams<'prompt.classify'> {
    return {
      ...this.common(runDir), generationId, shots: parseInts(this.shots, 'K values'), seeds: parseInts(this.seeds, 'seeds'),
      method: this.method, normalize: this.normalize, calibrate: this.calibrate, ...(step !== null ? { step } : {}),
    };
  }

  async run(runDir: string, step: number | null): Promise<void> {
    if (this.running) return;
    const id = `cls-${Date.now().toString(36)}-${++this.#count}`;
    let params;
    try {
      params = this.params(runDir, id, step);
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
      return;
    }
    this.#jobId = id;
    this.running = true;
    this.error = null;
    this.progress = null;
    const off = this.api.on((e: StudioEvent) => {
      if (e.type === 'prompt.progress' && e.generationId === id) this.progress = { done: e.done, total: e.total };
    });
    try {
      this.result = await this.api.call('prompt.classify', params);
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      off();
      this.running = false;
      this.#jobId = null;
    }
  }

  async cancel(): Promise<void> {
    if (this.#jobId) await this.api.call('prompt.cancel', { generationId: this.#jobId }).catch(() => undefined);
  }

  async showPrompt(runDir: string): Promise<void> {
    try {
      this.error = null;
      this.preview = await this.api.call('prompt.preview', { ...this.common(runDir), text: this.previewText, k: this.previewK, seed: parseInts(this.seeds, 'seeds')[0] });
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
  }
}

const states = new WeakMap<StudioApi, ClassifyState>();

export function classifyStateFor(api: StudioApi): ClassifyState {
  let state = states.get(api);
  if (!state) states.set(api, (state = new ClassifyState(api)));
  return state;
}
