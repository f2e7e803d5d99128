// The corpus the person works with, as the engine host's corpus session holds it (corpus.list /
// corpus.changed): entries with status and issues, statistics, the trained tokenizer. Until they
// add their own, it is the built-in sample corpus, added on first start so Train works at once.
// Dropped files without a host path (a browser) are uploaded in chunks first.
import type { SampleFile, StudioEvent } from '../../protocol/index.ts';
import type { CorpusEntry, CorpusSnapshot, TokenizerInfo, TokenizerTraining, TokenViewWire } from '../../protocol/commands/corpus-schemas.ts';
import { UPLOAD_CHUNK_BYTES } from '../../protocol/commands/corpus-upload.ts';
import type { StudioApi } from '../api/index.ts';
import { phaseStart, type PhaseStart } from '../lib/progress/phase-clock.ts';

export type TokenizerKind = 'char' | 'bpe' | 'wordpiece';
export type TokenScheme = 'byte-level' | 'sentencepiece' | 'wordpiece' | 'plain';

/** A file being sent to the host (browser drops), shown in the list until its entry appears. */
export interface PendingUpload {
  key: string;
  name: string;
  bytes: number;
  sent: number;
  error: string | null;
}

/** A dropped or picked file: its host path when the platform gives one (Electron), else its bytes. */
export interface DroppedFile {
  file: File;
  /** Path inside a dropped folder ('notes/a.txt'), else the file name. */
  name: string;
  /** Host path (Electron's webUtils.getPathForFile), when known. */
  path?: string;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class CorpusState {
  samples = $state.raw<SampleFile[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);

  files = $state.raw<CorpusEntry[]>([]);
  /** When this page saw each importing entry's import begin (its progress bar's ETA), by entry id. */
  importStarts = $state.raw<Record<string, PhaseStart>>({});
  /** Entries whose import is being cancelled (their Cancel button waits). */
  cancelling = $state.raw<string[]>([]);
  stats = $state.raw<CorpusSnapshot['stats']>(null);
  tokenizer = $state.raw<TokenizerInfo | null>(null);
  uploads = $state<PendingUpload[]>([]);
  /** Fraction of the corpus held out for validation. */
  valFraction = $state(0.1);

  tokenizerKind = $state<TokenizerKind>('char');
  vocabSize = $state(4096);
  training = $state(false);
  /** The host's training progress (corpus.changed), null when none runs. */
  trainingProgress = $state.raw<TokenizerTraining | null>(null);
  /** When this page saw the training's current phase begin (its bar's ETA). */
  trainingStart = $state.raw<PhaseStart | null>(null);
  /** Cancel was asked: the button waits, and the failure it causes is not an error to show. */
  cancellingTokenizer = $state(false);
  tokenizerError = $state<string | null>(null);
  previewText = $state('今天天气很好，我们去公园散步。The quick brown fox.');
  previewTokens = $state.raw<TokenViewWire[]>([]);
  previewScheme = $state<TokenScheme>('plain');
  previewError = $state<string | null>(null);

  readonly totalBytes = $derived(this.samples.reduce((sum, file) => sum + file.bytes, 0));
  /** Host paths of the imported entries: the corpus a run trains on. */
  readonly importedPaths = $derived(this.files.filter((f) => f.status === 'ok').map((f) => f.path));
  readonly importing = $derived(this.files.some((f) => f.status === 'importing') || this.uploads.some((u) => !u.error));
  /** The tokenizer was trained on exactly the entries imported now. */
  readonly tokenizerCurrent = $derived(
    !!this.tokenizer && this.tokenizer.entryIds.join() === this.files.filter((f) => f.status === 'ok').map((f) => f.id).join(),
  );

  private uploadCount = 0;

  constructor(private readonly api: StudioApi) {
    api.on((event) => this.receive(event));
  }

  private receive(event: StudioEvent): void {
    if (event.type === 'corpus.changed') this.apply(event.snapshot);
    // A new host process has an empty session: list again (init adds the samples back).
    if (event.type === 'host.state' && event.state === 'ready' && this.loaded) void this.init(true);
  }

  /** The newest snapshot applied: an older one arriving late (a reply overtaken by an event) is dropped. */
  private applied: { session: string; version: number } | null = null;

  private apply(snapshot: CorpusSnapshot): void {
    const last = this.applied;
    if (last && last.session === snapshot.session && snapshot.version <= last.version) return;
    this.applied = { session: snapshot.session, version: snapshot.version };
    this.files = snapshot.files;
    const starts: Record<string, PhaseStart> = {};
    // The duplicate checks after reading are a phase of their own: their ETA starts afresh.
    for (const f of snapshot.files) if (f.status === 'importing') starts[f.id] = phaseStart(this.importStarts[f.id] ?? null, f.phase ? `${f.id}:${f.phase}` : f.id, f.progress);
    this.importStarts = starts;
    this.stats = snapshot.stats;
    this.tokenizer = snapshot.tokenizer;
    const t = snapshot.training ?? null;
    this.trainingProgress = t;
    this.trainingStart = t ? phaseStart(this.trainingStart, t.phase, t.fraction) : null;
  }

  /** Lists the session's corpus; the first time, adds the built-in samples (the default corpus). */
  async init(again = false): Promise<void> {
    try {
      const kept = again ? this.files.filter((f) => f.source === 'path').map((f) => f.path) : [];
      let snapshot = await this.api.call('corpus.list', {});
      if (!snapshot.initialized) snapshot = await this.api.call('corpus.add', { samples: true, paths: kept });
      this.apply(snapshot);
      this.error = null;
    } catch (error) {
      this.error = message(error);
    } finally {
      this.loaded = true;
    }
  }

  /** Kept for the shell's first screen: the sample corpus files as the host lists them. */
  async loadSamples(): Promise<void> {
    try {
      this.samples = (await this.api.call('corpus.samples', {})).files;
    } catch (error) {
      this.error = message(error);
    }
  }

  async addPaths(paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    try {
      this.apply(await this.api.call('corpus.add', { paths }));
      this.error = null;
    } catch (error) {
      this.error = message(error);
    }
  }

  async addSamples(): Promise<void> {
    try {
      this.apply(await this.api.call('corpus.add', { samples: true }));
    } catch (error) {
      this.error = message(error);
    }
  }

  /** Adds dropped or picked files: by path where the host can read them, else uploaded in chunks. */
  async addFiles(dropped: DroppedFile[]): Promise<void> {
    const withPath = dropped.filter((d) => d.path).map((d) => d.path as string);
    const toUpload = dropped.filter((d) => !d.path);
    await this.addPaths(withPath);
    if (toUpload.length === 0) return;
    const uploadId = `u${Date.now().toString(36)}-${++this.uploadCount}`;
    const paths: string[] = [];
    for (const d of toUpload) {
      const path = await this.upload(uploadId, d);
      if (path) paths.push(path);
    }
    await this.addPaths(paths);
    // Successful uploads are now entries; failed ones stay listed with their error.
    this.uploads = this.uploads.filter((u) => u.error);
  }

  private async upload(uploadId: string, d: DroppedFile): Promise<string | null> {
    const pending: PendingUpload = { key: `${uploadId}/${d.name}`, name: d.name, bytes: d.file.size, sent: 0, error: null };
    this.uploads.push(pending);
    const live = this.uploads[this.uploads.length - 1]; // the reactive proxy
    try {
      let offset = 0;
      for (;;) {
        const end = Math.min(d.file.size, offset + UPLOAD_CHUNK_BYTES);
        const data = new Uint8Array(await d.file.slice(offset, end).arrayBuffer());
        const last = end >= d.file.size;
        const reply = await this.api.call('corpus.upload', { uploadId, name: d.name, offset, data, last });
        offset = end;
        live.sent = offset;
        if (last) return reply.path ?? null;
      }
    } catch (error) {
      live.error = `${d.name}: upload failed: ${message(error)}`;
      return null;
    }
  }

  dismissUpload(key: string): void {
    this.uploads = this.uploads.filter((u) => u.key !== key);
  }

  /** Removes an entry; one still importing has its import cancelled (nothing of it is kept). */
  async remove(id: string): Promise<void> {
    this.cancelling = [...this.cancelling, id];
    try {
      this.apply(await this.api.call('corpus.remove', { id }));
    } catch (error) {
      this.error = message(error);
    } finally {
      this.cancelling = this.cancelling.filter((c) => c !== id);
    }
  }

  /** `objective`: a registry id; its entry decides the special tokens. */
  async trainTokenizer(objective: string): Promise<void> {
    this.training = true;
    this.tokenizerError = null;
    this.cancellingTokenizer = false;
    try {
      this.tokenizer = await this.api.call('tokenizer.train', { kind: this.tokenizerKind, vocabSize: this.vocabSize, objective });
      await this.encodePreview();
    } catch (error) {
      // Cancelled by the person: the panel goes back to what it showed before.
      if (!this.cancellingTokenizer) this.tokenizerError = message(error);
    } finally {
      this.training = false;
      this.cancellingTokenizer = false;
      this.trainingProgress = null;
      this.trainingStart = null;
    }
  }

  /** Stops the tokenizer training in progress on the host; the tokenizer trained before stays. */
  async cancelTokenizer(): Promise<void> {
    if (!this.training) return;
    this.cancellingTokenizer = true;
    try {
      this.apply(await this.api.call('tokenizer.cancel', {}));
    } catch (error) {
      this.cancellingTokenizer = false;
      this.tokenizerError = message(error);
    }
  }

  async encodePreview(): Promise<void> {
    if (!this.tokenizer) return;
    try {
      const r = await this.api.call('tokenizer.encode', { text: this.previewText });
      this.previewTokens = r.tokens;
      this.previewScheme = r.scheme;
      this.previewError = null;
    } catch (error) {
      this.previewError = message(error);
    }
  }
}
