// The run being designed on the Model & objective page: objective, size (a preset or a custom
// shape), hyperparameters, plus what the engine says about them (its objective registry,
// parameters and memory, a measured time per step, a real batch "as the model sees it").
// trainOptions() resolves it all, with the corpus page's choices, into the TrainOptions keys that
// run.start takes. Defaults and ranges are the TrainOptions schema's (src/protocol/train-options.ts),
// never repeated here.
import type { ModelShape } from '../../protocol/commands/model-schemas.ts';
import type { CommandResult } from '../../protocol/index.ts';
import { DEFAULT_TRAIN_OPTIONS, trainOptionProblem, type TrainOptions, type TrainOptionsPatch } from '../../protocol/train-options.ts';
import type { StudioApi } from '../api/index.ts';
import type { CorpusState } from './corpus.svelte.ts';
import { ObjectiveCatalog, type ObjectiveInfo } from './objectives.svelte.ts';

/** Tokens per row of the batch preview: enough to see the objective at work, short enough to read. */
const PREVIEW_TOKENS = 24;

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

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const sentence = (s: string) => `${s[0].toUpperCase()}${s.slice(1)}.`;

/** The number fields of an option set. */
function numbersOf(o: TrainOptions): Record<NumberKey, number> {
  return Object.fromEntries([...SHAPE_KEYS, ...HYPER_KEYS].map((k) => [k, o[k]])) as Record<NumberKey, number>;
}

/**
 * What each number may be: the schema's own rule for the field, then what this page knows from
 * the other fields (and a warning the schema cannot give). The message is a sentence for the field.
 */
export function validateField(key: NumberKey, value: number, all: Record<NumberKey, number>): string | null {
  if (!Number.isFinite(value)) return 'Enter a number.';
  const problem = trainOptionProblem(key, value);
  if (problem) return sentence(problem);
  switch (key) {
    case 'nEmbd': return all.nHead >= 1 && value % all.nHead !== 0 ? `Must be divisible by the ${all.nHead} heads.` : null;
    case 'blockSize': return value > 4096 ? 'At most 4096 tokens.' : null;
    case 'lr': return value > 1 ? 'Above 1 will diverge.' : null;
    case 'minLr': return value > all.lr ? 'Must not exceed the learning rate.' : null;
    case 'warmupSteps': return value > all.steps ? 'Longer than the whole run.' : null;
    default: return null;
  }
}

export class ModelState {
  objective = $state<string>(DEFAULT_TRAIN_OPTIONS.objective);

  presets = $state.raw<Preset[]>([]);
  defaults = $state.raw<TrainOptions>(DEFAULT_TRAIN_OPTIONS);
  /** The preset the page starts from (a name the engine's presets may offer). */
  preset = $state<string>('tiny');
  /** The chosen preset's other options (evalIters, split, schedule …), kept for the run. */
  presetExtras = $state.raw<TrainOptionsPatch>({});
  values = $state<Record<NumberKey, number>>(numbersOf(DEFAULT_TRAIN_OPTIONS));
  loaded = $state(false);
  loadError = $state<string | null>(null);

  estimate = $state.raw<Estimate | null>(null);
  estimateError = $state<string | null>(null);
  measuring = $state(false);
  measured = $state.raw<(Measure & { shapeKey: string }) | null>(null);
  measureError = $state<string | null>(null);

  /**
   * Paired objectives: the pairs are the rows of the corpus's tables, or two line-aligned files of
   * the corpus (line i of the source file paired with line i of the target file).
   */
  pairsFrom = $state<'rows' | 'lines'>('rows');
  lineSource = $state('');
  lineTarget = $state('');
  /** Paired objectives: one tokenizer for both sides (true), or one per side (TrainOptions.sharedTokenizer). */
  sharedTokenizer = $state(true);
  /** The two files when chosen and distinct (null: pairs from table rows). */
  readonly lineFiles = $derived(
    this.pairsFrom === 'lines' && this.lineSource && this.lineTarget && this.lineSource !== this.lineTarget ? { source: this.lineSource, target: this.lineTarget } : null,
  );

  preview = $state.raw<Preview | null>(null);
  previewLoading = $state(false);
  previewError = $state<string | null>(null);

  readonly errors = $derived(
    Object.fromEntries([...SHAPE_KEYS, ...HYPER_KEYS].map((k) => [k, validateField(k, this.values[k], this.values)])) as Record<NumberKey, string | null>,
  );
  readonly valid = $derived(Object.values(this.errors).every((e) => e === null));
  /** Vocabulary the estimate assumes: the trained tokenizer's, else the requested size. */
  readonly vocabSize = $derived.by(() => this.preview?.vocabSize ?? this.corpus.tokenizer?.vocabSize ?? (this.corpus.tokenizerKind === 'char' ? 256 : this.corpus.vocabSize));
  /**
   * With a tokenizer per side, the decoder's vocabulary (its table and LM head): the target
   * tokenizer's once the preview trained it, else assumed the source's size. Undefined: shared.
   */
  readonly targetVocabSize = $derived.by(() => (this.objectivePaired && !this.sharedTokenizer ? (this.preview?.targetVocabSize ?? this.vocabSize) : undefined));
  readonly shape = $derived<ModelShape>({
    objective: this.objective, vocabSize: this.vocabSize, ...(this.targetVocabSize !== undefined ? { targetVocabSize: this.targetVocabSize } : {}), nLayer: this.values.nLayer, nHead: this.values.nHead, nEmbd: this.values.nEmbd,
    blockSize: this.values.blockSize, ffWidth: this.values.ffWidth, dropout: this.values.dropout, bias: false,
    batchSize: this.values.batchSize, gradAccum: this.values.gradAccum,
  });
  readonly shapeKey = $derived(JSON.stringify(this.shape));

  /** The registry's entries, in its order (getters: the catalog's state is already reactive). */
  get objectives(): ObjectiveInfo[] {
    return this.catalog.list;
  }

  get objectivesError(): string | null {
    return this.catalog.error;
  }

  get objectiveAvailable(): boolean {
    return this.catalog.find(this.objective)?.available ?? false;
  }

  get objectivePaired(): boolean {
    return this.catalog.find(this.objective)?.paired ?? false;
  }

  /** The run's corpus and target files: the chosen line-aligned pair, else every imported file. */
  private dataFiles(): { corpus: string[]; targetCorpus: string[] } {
    const lines = this.objectivePaired ? this.lineFiles : null;
    const imported = this.corpus.importedPaths;
    if (lines && imported.includes(lines.source) && imported.includes(lines.target)) return { corpus: [lines.source], targetCorpus: [lines.target] };
    return { corpus: [...imported], targetCorpus: [] };
  }

  private estimateTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly api: StudioApi,
    readonly corpus: CorpusState,
    readonly catalog = new ObjectiveCatalog(api),
  ) {}

  async init(): Promise<void> {
    try {
      const [defs] = await Promise.all([this.api.call('model.defaults', {}), this.catalog.load()]);
      this.defaults = defs.defaults;
      this.presets = defs.presets;
      this.values = numbersOf(defs.defaults);
      if (!this.objectiveAvailable) this.objective = this.catalog.list.find((o) => o.available)?.id ?? this.objective;
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
    const merged: TrainOptions = { ...this.defaults, ...preset.options };
    this.values = numbersOf(merged);
    // The corpus page owns the tokenizer and the split fraction: a preset sets them there.
    const { tokenizer, valFraction, vocabSize, objective, ...extras } = preset.options;
    if (tokenizer !== undefined) this.corpus.tokenizerKind = tokenizer;
    if (valFraction !== undefined) this.corpus.valFraction = valFraction;
    if (vocabSize !== undefined) this.corpus.vocabSize = vocabSize;
    this.presetExtras = Object.fromEntries(Object.entries(extras).filter(([k]) => !(SHAPE_KEYS as readonly string[]).includes(k) && !(HYPER_KEYS as readonly string[]).includes(k)));
    if (objective !== undefined && this.catalog.find(objective)?.available) this.objective = objective;
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

  /** A real step-0 batch of the corpus, as the trainer would draw it with the objective's collator. */
  async loadPreview(rows = 2, blockSize = Math.min(this.values.blockSize, PREVIEW_TOKENS)): Promise<void> {
    const { corpus, targetCorpus } = this.dataFiles();
    if (corpus.length === 0) { this.previewError = 'No imported file yet: add text on the Corpus page.'; return; }
    this.previewLoading = true;
    const objective = this.objective;
    try {
      const o = this.trainOptions();
      const preview = await this.api.call('batch.preview', {
        objective, corpus, targetCorpus, tokenizer: this.corpus.tokenizerKind, vocabSize: this.corpus.vocabSize, sharedTokenizer: o.sharedTokenizer,
        valFraction: this.corpus.valFraction, split: o.split ?? this.defaults.split, blockSize, rows, seed: o.seed ?? this.defaults.seed,
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
  trainOptions(): TrainOptions {
    const v = this.values;
    return {
      ...this.defaults,
      checkpointEvery: Math.max(v.evalEvery, Math.min(this.defaults.checkpointEvery, v.steps)),
      ...this.presetExtras,
      objective: this.objective,
      ...this.dataFiles(),
      sharedTokenizer: this.objectivePaired ? this.sharedTokenizer : true,
      tokenizer: this.corpus.tokenizerKind,
      vocabSize: this.corpus.vocabSize,
      valFraction: this.corpus.valFraction,
      nLayer: v.nLayer, nHead: v.nHead, nEmbd: v.nEmbd, blockSize: v.blockSize, ffWidth: v.ffWidth, dropout: v.dropout,
      lr: v.lr, minLr: Math.min(v.minLr, v.lr), warmupSteps: v.warmupSteps, steps: v.steps, batchSize: v.batchSize,
      gradAccum: v.gradAccum, weightDecay: v.weightDecay, gradClip: v.gradClip, evalEvery: v.evalEvery,
    };
  }
}
