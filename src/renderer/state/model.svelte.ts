// The run being designed on the Model & objective page: objective, size (a preset or a custom
// shape), hyperparameters, plus what the engine says about them (objectives it can train,
// parameters and memory, a measured time per step, a real batch "as the model sees it").
// trainOptions() resolves it all, with the corpus page's choices, into the TrainOptions keys that
// run.start takes (src/engine/config/train-config.ts).
import type { ModelShape } from '../../protocol/commands/model-schemas.ts';
import type { CommandResult } from '../../protocol/index.ts';
import type { StudioApi } from '../api/index.ts';
import type { CorpusState } from './corpus.svelte.ts';

export type Objective = 'clm' | 'mlm' | 'denoise';
export type OptionValue = string | number | boolean | string[];

export interface ObjectiveInfo {
  id: Objective;
  title: string;
  family: string;
  sentence: string;
}

export const OBJECTIVE_INFO: readonly ObjectiveInfo[] = [
  { id: 'clm', title: 'Causal LM', family: 'GPT', sentence: 'Reads the text left to right and learns to predict each next token; it can then continue any prompt.' },
  { id: 'mlm', title: 'Masked LM + NSP', family: 'BERT', sentence: 'Hides 15% of the tokens and learns to restore them from both sides, and whether sentence B follows sentence A.' },
  { id: 'denoise', title: 'Denoising', family: 'T5 / BART', sentence: 'Corrupts spans of the text and learns, with an encoder and a decoder, to write back what was removed.' },
];

/** The fields of TrainOptions this page edits (besides the corpus and tokenizer). */
export const SHAPE_KEYS = ['nLayer', 'nHead', 'nEmbd', 'blockSize', 'ffWidth', 'dropout'] as const;
export const HYPER_KEYS = ['lr', 'minLr', 'warmupSteps', 'steps', 'batchSize', 'gradAccum', 'weightDecay', 'gradClip', 'evalEvery'] as const;
export type ShapeKey = (typeof SHAPE_KEYS)[number];
export type HyperKey = (typeof HYPER_KEYS)[number];
export type NumberKey = ShapeKey | HyperKey;

type Estimate = CommandResult<'model.estimate'>;
type Measure = CommandResult<'model.measure'>;
type Preview = CommandResult<'batch.preview'>;
type Preset = CommandResult<'model.defaults'>['presets'][number];

const INT_KEYS = new Set<NumberKey>(['nLayer', 'nHead', 'nEmbd', 'blockSize', 'ffWidth', 'warmupSteps', 'steps', 'batchSize', 'gradAccum', 'evalEvery']);
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** What each number may be; the message names the field as the page labels it. */
export function validateField(key: NumberKey, value: number, all: Record<NumberKey, number>): string | null {
  if (!Number.isFinite(value)) return 'Enter a number.';
  if (INT_KEYS.has(key) && !Number.isInteger(value)) return 'Must be a whole number.';
  switch (key) {
    case 'ffWidth': return value < 0 ? 'Must be 0 (= 4 × width) or more.' : null;
    case 'dropout': return value < 0 || value >= 1 ? 'Must be at least 0 and below 1.' : null;
    case 'nEmbd': return value < 1 ? 'Must be at least 1.' : all.nHead >= 1 && value % all.nHead !== 0 ? `Must be divisible by the ${all.nHead} heads.` : null;
    case 'blockSize': return value < 2 ? 'Must be at least 2.' : value > 4096 ? 'At most 4096 tokens.' : null;
    case 'lr': return value <= 0 ? 'Must be above 0.' : value > 1 ? 'Above 1 will diverge.' : null;
    case 'minLr': return value < 0 ? 'Must be 0 or more.' : value > all.lr ? 'Must not exceed the learning rate.' : null;
    case 'warmupSteps': return value < 0 ? 'Must be 0 or more.' : value > all.steps ? 'Longer than the whole run.' : null;
    case 'weightDecay': case 'gradClip': return value < 0 ? 'Must be 0 or more.' : null;
    default: return value < 1 ? 'Must be at least 1.' : null;
  }
}

export class ModelState {
  objective = $state<Objective>('clm');
  objectives = $state.raw<{ id: Objective; available: boolean; reason?: string }[]>([]);
  objectivesError = $state<string | null>(null);

  presets = $state.raw<Preset[]>([]);
  defaults = $state.raw<Record<string, OptionValue>>({});
  preset = $state<string>('tiny');
  /** The chosen preset's other options (evalIters, split, schedule …), kept for the run. */
  presetExtras = $state.raw<Record<string, OptionValue>>({});
  values = $state<Record<NumberKey, number>>({
    nLayer: 2, nHead: 2, nEmbd: 64, blockSize: 64, ffWidth: 0, dropout: 0,
    lr: 1e-3, minLr: 1e-4, warmupSteps: 20, steps: 300, batchSize: 8, gradAccum: 1, weightDecay: 0.1, gradClip: 1, evalEvery: 50,
  });
  loaded = $state(false);
  loadError = $state<string | null>(null);

  estimate = $state.raw<Estimate | null>(null);
  estimateError = $state<string | null>(null);
  measuring = $state(false);
  measured = $state.raw<(Measure & { shapeKey: string }) | null>(null);
  measureError = $state<string | null>(null);

  preview = $state.raw<Preview | null>(null);
  previewLoading = $state(false);
  previewError = $state<string | null>(null);

  readonly errors = $derived(
    Object.fromEntries([...SHAPE_KEYS, ...HYPER_KEYS].map((k) => [k, validateField(k, this.values[k], this.values)])) as Record<NumberKey, string | null>,
  );
  readonly valid = $derived(Object.values(this.errors).every((e) => e === null));
  readonly objectiveAvailable = $derived(this.objectives.find((o) => o.id === this.objective)?.available ?? false);
  /** Vocabulary the estimate assumes: the trained tokenizer's, else the requested size. */
  readonly vocabSize = $derived.by(() => this.preview?.vocabSize ?? this.corpus.tokenizer?.vocabSize ?? (this.corpus.tokenizerKind === 'char' ? 256 : this.corpus.vocabSize));
  readonly shape = $derived<ModelShape>({
    objective: this.objective, vocabSize: this.vocabSize, nLayer: this.values.nLayer, nHead: this.values.nHead, nEmbd: this.values.nEmbd,
    blockSize: this.values.blockSize, ffWidth: this.values.ffWidth, dropout: this.values.dropout, bias: false,
    batchSize: this.values.batchSize, gradAccum: this.values.gradAccum,
  });
  readonly shapeKey = $derived(JSON.stringify(this.shape));

  private estimateTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly api: StudioApi,
    readonly corpus: CorpusState,
  ) {}

  async init(): Promise<void> {
    try {
      const [defs, objs] = await Promise.all([this.api.call('model.defaults', {}), this.api.call('model.objectives', {})]);
      this.defaults = defs.defaults;
      this.presets = defs.presets;
      this.objectives = objs.objectives;
      if (!this.objectiveAvailable) this.objective = objs.objectives.find((o) => o.available)?.id ?? 'clm';
      this.applyPreset(this.preset);
      this.loadError = null;
    } catch (error) {
      this.loadError = message(error);
    } finally {
      this.loaded = true;
    }
  }

  /** Starts from the defaults, then the preset's values; 'custom' keeps what is there. */
  applyPreset(name: string): void {
    this.preset = name;
    const preset = this.presets.find((p) => p.name === name);
    if (!preset) return;
    const merged = { ...this.defaults, ...preset.options };
    for (const key of [...SHAPE_KEYS, ...HYPER_KEYS]) {
      const value = merged[key];
      if (typeof value === 'number') this.values[key] = value;
    }
    // The corpus page owns the tokenizer and the split fraction: a preset sets them there.
    const { tokenizer, valFraction, vocabSize, objective: _objective, ...extras } = preset.options;
    if (tokenizer === 'char' || tokenizer === 'bpe' || tokenizer === 'wordpiece') this.corpus.tokenizerKind = tokenizer;
    if (typeof valFraction === 'number') this.corpus.valFraction = valFraction;
    if (typeof vocabSize === 'number') this.corpus.vocabSize = vocabSize;
    this.presetExtras = Object.fromEntries(Object.entries(extras).filter(([k]) => !(SHAPE_KEYS as readonly string[]).includes(k) && !(HYPER_KEYS as readonly string[]).includes(k)));
    if (merged.objective === 'clm' || merged.objective === 'mlm' || merged.objective === 'denoise') {
      if (this.objectives.find((o) => o.id === merged.objective)?.available) this.objective = merged.objective;
    }
  }

  /** Editing a field leaves the preset: the size is now custom. */
  set(key: NumberKey, value: number): void {
    this.values[key] = value;
    if (this.preset !== 'custom') this.preset = 'custom';
  }

  /** Asks the engine for parameters and memory a moment after the last edit. */
  scheduleEstimate(): void {
    clearTimeout(this.estimateTimer);
    if (!this.valid) { this.estimate = null; return; }
    const shape = this.shape;
    this.estimateTimer = setTimeout(async () => {
      try {
        this.estimate = await this.api.call('model.estimate', shape);
        this.estimateError = null;
      } catch (error) {
        this.estimateError = message(error);
      }
    }, 150);
  }

  async measure(): Promise<void> {
    if (!this.valid || this.measuring) return;
    this.measuring = true;
    this.measureError = null;
    const shapeKey = this.shapeKey;
    try {
      const r = await this.api.call('model.measure', { shape: this.shape, steps: 5, maxMs: 8000 });
      this.measured = { ...r, shapeKey };
    } catch (error) {
      this.measureError = message(error);
    } finally {
      this.measuring = false;
    }
  }

  /** A real step-0 batch of the corpus, as the trainer would draw it (causal LM, masked LM). */
  async loadPreview(rows = 2, blockSize = Math.min(this.values.blockSize, this.objective === 'mlm' ? 32 : 24)): Promise<void> {
    const corpus = this.corpus.importedPaths;
    if (corpus.length === 0) { this.previewError = 'No imported file yet: add text on the Corpus page.'; return; }
    this.previewLoading = true;
    const objective = this.objective;
    try {
      const o = this.trainOptions();
      const preview = await this.api.call('batch.preview', {
        objective, corpus, tokenizer: this.corpus.tokenizerKind, vocabSize: this.corpus.vocabSize,
        valFraction: this.corpus.valFraction, split: o.split === 'tail' ? 'tail' : 'document', blockSize, rows, seed: Number(o.seed ?? 1337),
      });
      if (objective !== this.objective) return; // the person switched meanwhile
      this.preview = preview;
      this.previewError = null;
    } catch (error) {
      this.preview = null;
      this.previewError = message(error);
    } finally {
      this.previewLoading = false;
    }
  }

  /**
   * Everything a run needs, as TrainOptions keys for run.start's `options`: the engine's defaults,
   * the preset's other options (split, evalIters …; kept when fields are edited), this page's
   * objective, shape and hyperparameters, the corpus page's files, tokenizer and split fraction.
   */
  trainOptions(): Record<string, OptionValue> {
    const v = this.values;
    return {
      ...this.defaults,
      checkpointEvery: Math.max(v.evalEvery, Math.min(Number(this.defaults.checkpointEvery ?? 500), v.steps)),
      ...this.presetExtras,
      objective: this.objective,
      corpus: [...this.corpus.importedPaths],
      tokenizer: this.corpus.tokenizerKind,
      vocabSize: this.corpus.vocabSize,
      valFraction: this.corpus.valFraction,
      nLayer: v.nLayer, nHead: v.nHead, nEmbd: v.nEmbd, blockSize: v.blockSize, ffWidth: v.ffWidth, dropout: v.dropout,
      lr: v.lr, minLr: Math.min(v.minLr, v.lr), warmupSteps: v.warmupSteps, steps: v.steps, batchSize: v.batchSize,
      gradAccum: v.gradAccum, weightDecay: v.weightDecay, gradClip: v.gradClip, evalEvery: v.evalEvery,
    };
  }
}
