// The Fine-tune tab: which run and checkpoint to start from, the labeled file (a host path, or an
// upload in the browser) and the engine's preview of it (columns, mapping, balance, problems), the
// split, scope and budget, the runs it started (a pretrained one, and one from scratch to compare)
// and their scores from classify.predict once each has ended, and the "try a sentence" answer.
// Progress of a running fine-tune is the run service's: RunsState follows it like any run.
import type { CommandParams, CommandResult, StudioEvent } from '../../protocol/index.ts';
import { UPLOAD_CHUNK_BYTES } from '../../protocol/commands/corpus-upload.ts';
import type { StudioApi } from '../api/index.ts';

export type LabeledPreview = CommandResult<'finetune.inspect'>;
export type ScopeChoice = CommandResult<'finetune.scopes'>['scopes'][number];
export type ClassifierScores = CommandResult<'classify.predict'>;
export type Prediction = NonNullable<ClassifierScores['prediction']>;
export type SplitPredictions = CommandResult<'finetune.predictions'>;

/** The rows of one confusion-matrix cell (true label, predicted label) of one run. */
export interface CellExamples {
  runDir: string;
  label: number;
  predicted: number;
  result: SplitPredictions | null;
  error: string | null;
}

/** A labeled file the host can read: its path there, and the name the person knows it by. */
export interface LabeledFile {
  path: string;
  name: string;
}

/** The runs one Start made: the fine-tune, and the from-scratch comparison (trained after it). */
export interface StartedRuns {
  runId: string;
  runDir: string;
  compareRunDir: string | null;
}

export class FineTuneState {
  tab = $state<'playgrounds' | 'finetune'>('playgrounds');
  scopes = $state.raw<ScopeChoice[]>([]);

  runDir = $state('');
  /** 0: the latest checkpoint. */
  checkpoint = $state(0);
  file = $state.raw<LabeledFile | null>(null);
  uploading = $state(false);
  /** Column names; '' lets the engine guess. */
  textField = $state('');
  pairField = $state('');
  labelField = $state('');
  valFraction = $state(0.1);
  testFraction = $state(0.1);
  seed = $state(1337);
  /** Rows without text or label: skipped and listed, or the file refused. */
  badRows = $state<'skip' | 'refuse'>('skip');
  preview = $state.raw<LabeledPreview | null>(null);
  inspecting = $state(false);

  scopeKind = $state('all');
  /** The 'lora' scope's adapters (PEFT's defaults). */
  loraRank = $state(8);
  loraAlpha = $state(16);
  /** Dropout on each adapter's input while training (PEFT's lora_dropout). */
  loraDropout = $state(0);
  loraTargets = $state<'attention' | 'all-linear'>('attention');
  /**
   * The classifier's features: 'cls' (BERT's pooled [CLS], BART's first decoder position), 'mean'
   * (a BERT's real tokens) or 'eos' (BART's last [SEP], BartForSequenceClassification's).
   */
  pooling = $state<'cls' | 'mean' | 'eos'>('cls');
  /** Set by the settings from the chosen run: which poolings its kind takes. */
  baseKind = $state<string | null>(null);
  topLayers = $state(1);
  // The budget npm run finetune defaults to.
  steps = $state(200);
  lr = $state(1e-4);
  /** Layer-wise lr decay (1: off); sent when layers below the head train. */
  layerDecay = $state(1);
  batchSize = $state(32);
  compare = $state(false);

  started = $state.raw<StartedRuns | null>(null);
  /** Scores of each started run once it has ended (by run folder). */
  scores = $state.raw<Record<string, ClassifierScores>>({});
  tryText = $state('');
  prediction = $state.raw<Prediction | null>(null);
  predicting = $state(false);
  examples = $state.raw<CellExamples | null>(null);
  busy = $state(false);
  error = $state<string | null>(null);
  #inspectRequest = 0;
  #uploads = 0;

  constructor(private readonly api: StudioApi) {
    api.on((event) => this.receive(event));
  }

  async loadScopes(): Promise<void> {
    if (this.scopes.length) return;
    try {
      this.scopes = (await this.api.call('finetune.scopes', {})).scopes;
    } catch (error) {
      this.error = message(error);
    }
  }

  /** The scope as the engine writes it ('head', 'top:2', 'all'). */
  get scope(): string {
    const choice = this.scopes.find((c) => c.kind === this.scopeKind);
    return choice?.takesLayers ? `${this.scopeKind}:${this.topLayers}` : this.scopeKind;
  }

  /** A picked file: used where it is on the host (Electron), else uploaded in chunks first. */
  async chooseFile(file: File, hostPath: string | undefined): Promise<void> {
    this.error = null;
    this.preview = null;
    this.textField = this.pairField = this.labelField = '';
    try {
      let path = hostPath;
      if (!path) {
        this.uploading = true;
        path = await this.upload(file);
      }
      this.file = { path, name: file.name };
      await this.inspect();
    } catch (error) {
      this.error = `${file.name}: ${message(error)}`;
    } finally {
      this.uploading = false;
    }
  }

  private async upload(file: File): Promise<string> {
    const uploadId = `ft${Date.now().toString(36)}-${++this.#uploads}`;
    for (let offset = 0; ; ) {
      const end = Math.min(file.size, offset + UPLOAD_CHUNK_BYTES);
      const data = new Uint8Array(await file.slice(offset, end).arrayBuffer());
      const last = end >= file.size;
      const reply = await this.api.call('corpus.upload', { uploadId, name: file.name, offset, data, last });
      offset = end;
      if (last) {
        if (!reply.path) throw new Error('the upload finished without a host path');
        return reply.path;
      }
    }
  }

  private source(): Omit<CommandParams<'finetune.inspect'>, 'path'> & { path: string } {
    const f = this.file!;
    return {
      path: f.path, name: f.name, valFraction: this.valFraction, testFraction: this.testFraction, seed: this.seed, badRows: this.badRows,
      ...(this.textField ? { textField: this.textField } : {}),
      ...(this.pairField ? { pairField: this.pairField } : {}),
      ...(this.labelField ? { labelField: this.labelField } : {}),
    };
  }

  /** Asks the engine what the file holds under the current mapping and split. */
  async inspect(): Promise<void> {
    if (!this.file) return;
    const id = ++this.#inspectRequest;
    this.inspecting = true;
    try {
      const preview = await this.api.call('finetune.inspect', this.source());
      if (id !== this.#inspectRequest) return;
      this.preview = preview;
      this.error = null;
    } catch (error) {
      if (id === this.#inspectRequest) {
        this.preview = null;
        this.error = message(error);
      }
    } finally {
      if (id === this.#inspectRequest) this.inspecting = false;
    }
  }

  get canStart(): boolean {
    return !!this.runDir && !!this.file && !!this.preview?.columns && this.preview.error === null && !this.busy;
  }

  async start(): Promise<void> {
    if (!this.canStart) return;
    this.busy = true;
    this.error = null;
    try {
      const started = await this.api.call('finetune.start', {
        ...this.source(), runDir: this.runDir, checkpoint: this.checkpoint, scope: this.scope,
        ...(poolingFits(this.pooling, this.baseKind) ? { pooling: this.pooling } : {}),
        ...(this.scopeKind === 'lora' ? { lora: { rank: this.loraRank, alpha: this.loraAlpha, dropout: this.loraDropout, targets: this.loraTargets } } : {}),
        ...(this.scopeKind !== 'head' && this.layerDecay !== 1 ? { layerDecay: this.layerDecay } : {}),
        steps: this.steps, lr: this.lr, batchSize: this.batchSize, compare: this.compare,
      });
      this.started = started;
      this.scores = {};
      this.prediction = null;
      this.examples = null;
    } catch (error) {
      this.error = message(error);
    } finally {
      this.busy = false;
    }
  }

  /** The started runs' folders, the fine-tune first. */
  get runDirs(): string[] {
    const s = this.started;
    return s ? [s.runDir, ...(s.compareRunDir ? [s.compareRunDir] : [])] : [];
  }

  /** Reads the scores of every started run that has ended and is not read yet (eval.json, through classify.predict). */
  async loadScores(): Promise<void> {
    for (const runDir of this.runDirs) {
      if (this.scores[runDir]) continue;
      try {
        const scores = await this.api.call('classify.predict', { runDir });
        this.scores = { ...this.scores, [runDir]: scores };
      } catch {
        // not finished yet (no eval.json): asked again when a run ends
      }
    }
  }

  /** A stopped run resumed (run.resume): its scores so far are dropped, and read again when it ends. */
  resumed(runDir: string): void {
    const { [runDir]: _stopped, ...rest } = this.scores;
    this.scores = rest;
    if (this.examples?.runDir === runDir) this.examples = null;
  }

  /** Lists the rows of a confusion-matrix cell (the same cell again closes the list). */
  async showCell(runDir: string, label: number, predicted: number): Promise<void> {
    const open = this.examples;
    if (open && open.runDir === runDir && open.label === label && open.predicted === predicted) {
      this.examples = null;
      return;
    }
    const request: CellExamples = { runDir, label, predicted, result: null, error: null };
    this.examples = request;
    let next: CellExamples;
    try {
      next = { ...request, result: await this.api.call('finetune.predictions', { runDir, label, predicted, limit: 200 }) };
    } catch (error) {
      next = { ...request, error: message(error) };
    }
    if (this.examples === request) this.examples = next;
  }

  async tryIt(): Promise<void> {
    const runDir = this.started?.runDir;
    if (!runDir || !this.tryText.trim()) return;
    this.predicting = true;
    try {
      const answer = await this.api.call('classify.predict', { runDir, text: this.tryText.trim() });
      this.prediction = answer.prediction ?? null;
      this.error = null;
    } catch (error) {
      this.error = message(error);
    } finally {
      this.predicting = false;
    }
  }

  private receive(event: StudioEvent): void {
    if (event.type === 'run.state' && ['finished', 'stopped'].includes(event.state) && this.started) void this.loadScores();
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const states = new WeakMap<StudioApi, FineTuneState>();

/** The Fine-tune tab's state for an API connection: kept across page switches. */
export function fineTuneStateFor(api: StudioApi): FineTuneState {
  let state = states.get(api);
  if (!state) states.set(api, (state = new FineTuneState(api)));
  return state;
}

/** Whether a non-default pooling applies to a base run's kind ('cls' is every kind's default, sent as nothing). */
function poolingFits(pooling: 'cls' | 'mean' | 'eos', kind: string | null): boolean {
  return (pooling === 'mean' && kind === 'encoder') || (pooling === 'eos' && kind === 'encoder-decoder');
}
