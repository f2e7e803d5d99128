// The corpus a person assembles in the UI, held by the engine host for its lifetime: one entry per
// added file or folder, each imported on its own (so each has its own status, issues and
// statistics) into a per-session work folder, plus the tokenizer trained on them. Browser drops
// without paths are uploaded in chunks into the same folder first.
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, normalize, resolve, sep } from 'node:path';
import type { CorpusEntry, CorpusSnapshot, TokenizerInfo, TokenizerTraining } from '../../../protocol/commands/corpus-schemas.ts';
import type { StudioEvent } from '../../../protocol/index.ts';
import { readDocuments, readTexts, SAMPLE_CORPUS_FILES, type CorpusStats, type ImportProgress } from '../../data/index.ts';
import { importCorpusOffThread } from '../../data/import-workers.ts';
import { guessedColumnNote, issueTotals } from '../../data/import-report.ts';
import { TimeSlicer } from '../../tokenizers/time-slice.ts';
import type { Tokenizer } from '../../tokenizers/index.ts';
import { trainCorpusTokenizer } from '../../data/tokenizer-workers.ts';
import type { TrainOptions } from '../../config/train-config.ts';
import { tokenizerOptionsFor } from '../../train/prepare.ts';
import { mergeStats } from './stats.ts';

interface Entry extends CorpusEntry {
  /** The entry's own imported corpus folder (documents.jsonl, manifest.json), once imported. */
  corpusDir: string | null;
  /** Aborts its import while it runs (removing the entry cancels it). */
  importing?: AbortController;
}

export const SCHEMES = { char: 'plain', bpe: 'byte-level', wordpiece: 'wordpiece' } as const;

export class CorpusSession {
  readonly workDir: string;
  private readonly entries: Entry[] = [];
  private initialized = false;
  private tokenizer: Tokenizer | null = null;
  private tokenizerInfo: TokenizerInfo | null = null;
  /** The tokenizer training under way: its cancel and what the Data page shows of it. */
  private training: { abort: AbortController; progress: TokenizerTraining } | null = null;
  private readonly uploads = new Map<string, { path: string; bytes: number }>();
  private readonly id = randomUUID();
  private version = 0;

  constructor(
    private readonly emit: (event: StudioEvent) => void,
    private readonly assetsDir: string | undefined,
    workDir = join(tmpdir(), `pretrain-studio-${process.pid}-${randomUUID().slice(0, 8)}`),
  ) {
    this.workDir = workDir;
    process.once('exit', () => rmSync(this.workDir, { recursive: true, force: true }));
  }

  get uploadDir(): string {
    return join(this.workDir, 'uploads');
  }

  snapshot(): CorpusSnapshot {
    const files = this.entries.map(({ corpusDir: _dir, importing: _abort, ...entry }) => entry);
    const ok = files.filter((f) => f.status === 'ok' && f.stats);
    const stats = ok.length ? mergeStats(ok.map((f) => f.stats as CorpusStats)) : null;
    const tokenizer = this.tokenizerInfo;
    if (stats && tokenizer && sameIds(tokenizer.entryIds, ok.map((f) => f.id))) stats.tokens = tokenizer.tokens;
    const training = this.training ? { training: { ...this.training.progress } } : {};
    return { files, stats, tokenizer, ...training, initialized: this.initialized, session: this.id, version: ++this.version };
  }

  private changed(): void {
    this.emit({ type: 'corpus.changed', snapshot: this.snapshot() });
  }

  /** Adds entries and starts their imports; resolves once they are listed (not imported). */
  add(paths: string[], samples: boolean): { started: Promise<void>[] } {
    this.initialized = true;
    const todo: { path: string; source: Entry['source']; name: string }[] = [];
    if (samples && this.assetsDir) {
      for (const name of SAMPLE_CORPUS_FILES) {
        const path = join(this.assetsDir, 'sample-corpus', name);
        if (existsSync(path)) todo.push({ path, source: 'sample', name });
      }
    }
    for (const p of paths) {
      const path = resolve(p);
      const upload = path.startsWith(this.uploadDir + sep);
      // An uploaded file keeps the name it had on the person's machine (its path under the upload id).
      const name = upload ? path.slice(this.uploadDir.length + 1).split(sep).slice(1).join('/') : basename(path);
      todo.push({ path, source: upload ? 'upload' : 'path', name });
    }
    const started: Promise<void>[] = [];
    for (const t of todo) {
      if (this.entries.some((e) => e.path === t.path)) continue; // already in the corpus
      const entry: Entry = {
        id: randomUUID(), name: t.name, path: t.path, source: t.source, status: 'importing', bytes: 0,
        documents: 0, warnings: 0, errors: 0, issues: [], stats: null, corpusDir: null,
      };
      this.entries.push(entry);
      started.push(this.importEntry(entry));
    }
    this.changed();
    return { started };
  }

  private async importEntry(entry: Entry): Promise<void> {
    const outDir = join(this.workDir, 'corpus', entry.id);
    const abort = new AbortController();
    entry.importing = abort;
    try {
      entry.bytes = await sizeOf(entry.path);
      // Progress of a long import, at most four corpus.changed events a second; the first bytes
      // read are shown at once, so the bar moves (and Cancel applies) even for a file read in less
      // than the interval.
      let lastEmit = 0;
      let moved = false;
      const onProgress = (p: ImportProgress) => {
        if (p.dedup) { entry.phase = 'duplicates'; entry.progress = p.dedup.total > 0 ? p.dedup.done / p.dedup.total : 0; } else entry.progress = p.totalBytes > 0 ? p.bytesRead / p.totalBytes : undefined;
        const now = performance.now();
        const first = !moved && p.bytesRead > 0 && p.bytesRead < p.totalBytes;
        if (first || now - lastEmit > 250) { moved ||= first; lastEmit = now; this.changed(); }
      };
      // A large file is imported on a worker thread (import-workers.ts): the host keeps answering.
      const result = await importCorpusOffThread({ inputs: [entry.path], outDir, onProgress, signal: abort.signal });
      delete entry.progress;
      delete entry.phase;
      if (!this.entries.includes(entry)) { await rm(outDir, { recursive: true, force: true }); return; } // removed meanwhile
      entry.issues = result.issues.map((i) => ({ ...i, file: this.displayName(i.file) }));
      // Full counts: result.issues lists at most 50 per file.
      ({ warnings: entry.warnings, errors: entry.errors } = issueTotals(result.report));
      // What the import guessed (a table's text column), shown beside the file as the CLI prints it.
      const notes = result.report.files.filter((f) => f.textColumn !== undefined).map((f) => `${this.displayName(f.path)}: ${guessedColumnNote(f.textColumn!)}`);
      if (notes.length) entry.notes = notes; else delete entry.notes;
      if (result.manifest && result.dir) {
        entry.status = 'ok';
        entry.corpusDir = result.dir;
        entry.stats = result.manifest.stats;
        entry.documents = result.manifest.stats.documents;
      } else {
        entry.status = 'error';
        if (entry.issues.length === 0) entry.message = 'no documents could be imported';
      }
    } catch (error) {
      // Cancelled (the entry was removed): the importer removed its temporary folder; nothing to show.
      if (abort.signal.aborted) return;
      delete entry.progress;
      delete entry.phase;
      entry.status = 'error';
      entry.message = error instanceof Error ? error.message : String(error);
    } finally {
      delete entry.importing;
    }
    this.changed();
  }

  /** Issues name files by host path; show uploads by the name the person dropped. */
  private displayName(file: string): string {
    if (!file.startsWith(this.uploadDir + sep)) return file;
    return file.slice(this.uploadDir.length + 1).split(sep).slice(1).join('/');
  }

  async remove(id: string): Promise<void> {
    const i = this.entries.findIndex((e) => e.id === id);
    if (i < 0) throw new Error(`corpus.remove: no entry ${id} (it may have been removed already)`);
    const [entry] = this.entries.splice(i, 1);
    // An import still running is cancelled: it stops at its next chunk and leaves nothing behind.
    entry.importing?.abort();
    if (entry.corpusDir) await rm(entry.corpusDir, { recursive: true, force: true });
    if (entry.source === 'upload') await rm(entry.path, { force: true });
    this.changed();
  }

  entry(id: string): Entry {
    const entry = this.entries.find((e) => e.id === id);
    if (!entry) throw new Error(`corpus: no entry ${id}`);
    return entry;
  }

  /** Paths of the imported entries: the corpus a run trains on. */
  importedPaths(): string[] {
    return this.entries.filter((e) => e.status === 'ok').map((e) => e.path);
  }

  async documents(id: string, offset: number, limit: number, maxChars: number) {
    const entry = this.entry(id);
    if (!entry.corpusDir) throw new Error(`corpus.documents: ${entry.name} is ${entry.status === 'importing' ? 'still importing' : 'not imported'}`);
    const documents: { index: number; text: string; label?: string; truncated: boolean }[] = [];
    let index = 0;
    for await (const doc of readDocuments(entry.corpusDir)) {
      if (index >= offset + limit) break;
      if (index >= offset) {
        const chars = Array.from(doc.text);
        const truncated = chars.length > maxChars;
        documents.push({ index, text: truncated ? chars.slice(0, maxChars).join('') : doc.text, ...(doc.label !== undefined ? { label: doc.label } : {}), truncated });
      }
      index++;
    }
    return { total: entry.documents, documents };
  }

  /** Writes one upload chunk; returns the file's host path after the last one. */
  async upload(uploadId: string, name: string, offset: number, data: Uint8Array, last: boolean): Promise<{ bytes: number; path?: string }> {
    const rel = normalize(name.replaceAll('\\', '/')).replace(/^(\/)+/, '');
    if (rel.split(/[\\/]/).some((part) => part === '..' || part === '') || rel.startsWith('.')) {
      throw new Error(`corpus.upload: '${name}' is not a plain relative file name`);
    }
    const path = join(this.uploadDir, uploadId, rel);
    const key = `${uploadId}/${rel}`;
    const known = this.uploads.get(key) ?? { path, bytes: 0 };
    if (offset !== known.bytes) throw new Error(`corpus.upload: ${name}: chunk at byte ${offset}, expected ${known.bytes} (chunks must come in order)`);
    await mkdir(join(path, '..'), { recursive: true });
    const handle = await open(path, offset === 0 ? 'w' : 'a');
    try {
      await handle.write(data);
    } finally {
      await handle.close();
    }
    known.bytes += data.byteLength;
    this.uploads.set(key, known);
    if (!last) return { bytes: known.bytes };
    this.uploads.delete(key);
    return { bytes: known.bytes, path };
  }

  /** Trains the tokenizer a run would train (the trainer's options for this objective) on the imported entries. */
  async trainTokenizer(kind: TrainOptions['tokenizer'], vocabSize: number, objective: TrainOptions['objective']): Promise<TokenizerInfo> {
    const ok = this.entries.filter((e) => e.status === 'ok' && e.corpusDir);
    if (ok.length === 0) throw new Error('tokenizer.train: no imported file to train on (add a file, or wait for its import)');
    if (this.training) throw new Error('tokenizer.train: a tokenizer is already training (cancel it first)');
    const started = performance.now();
    const dirs = ok.map((e) => e.corpusDir as string);
    const options = tokenizerOptionsFor({ tokenizer: kind, vocabSize, objective });
    const abort = new AbortController();
    const { signal } = abort;
    this.training = { abort, progress: { phase: 'train', fraction: 0, message: `training a ${kind} tokenizer` } };
    // Progress of each phase, at most four corpus.changed events a second (and each phase's start).
    let lastEmit = 0;
    const show = (phase: TokenizerTraining['phase'], fraction: number, message: string) => {
      if (!this.training) return;
      const first = this.training.progress.phase !== phase;
      this.training.progress = { phase, fraction: Math.min(1, Math.max(0, fraction)), message };
      const now = performance.now();
      if (first || now - lastEmit > 250) { lastEmit = now; this.changed(); }
    };
    this.changed();
    try {
      const characters = ok.reduce((n, e) => n + (e.stats?.characters ?? 0), 0);
      const trainMessage = `training a ${kind} tokenizer on ${ok.length} file${ok.length === 1 ? '' : 's'}`;
      const tokenizer = await trainCorpusTokenizer({ corpusDirs: dirs }, options, {
        expectedChars: characters, signal, onProgress: (f) => show('train', f, trainMessage),
      });
      // Count the corpus's tokens with it (yielding: the host keeps answering meanwhile).
      const slicer = new TimeSlicer();
      let tokens = 0;
      let documents = 0;
      let read = 0;
      show('count', 0, 'counting the corpus\'s tokens');
      for await (const text of textsOf(dirs)) {
        signal.throwIfAborted();
        tokens += tokenizer.encode(text).length;
        documents++;
        read += text.length;
        if ((documents & 255) === 0) show('count', characters ? read / characters : 0, `counting the corpus's tokens (${documents} documents)`);
        await slicer.tick();
      }
      this.tokenizer = tokenizer;
      this.tokenizerInfo = {
        kind, requestedVocabSize: vocabSize, vocabSize: tokenizer.vocabSize, scheme: SCHEMES[kind], specials: [...tokenizer.specialTokens],
        documents, tokens, ms: Math.round(performance.now() - started), entryIds: ok.map((e) => e.id),
      };
      return this.tokenizerInfo;
    } catch (error) {
      if (signal.aborted) throw new Error('tokenizer training cancelled');
      throw error;
    } finally {
      this.training = null;
      this.changed();
    }
  }

  /** Stops the tokenizer training in progress (its workers too); the previous tokenizer stays. */
  cancelTokenizer(): void {
    this.training?.abort.abort(new Error('tokenizer training cancelled'));
  }

  encode(text: string) {
    const tok = this.tokenizer;
    if (!tok || !this.tokenizerInfo) throw new Error('tokenizer.encode: no tokenizer trained yet (train one on the corpus first)');
    const tokens = tok.encode(text).map((id) => ({ id, text: tok.idToToken(id) ?? `<${id}>`, ...(tok.isSpecial(id) ? { special: true } : {}) }));
    return { tokens, scheme: this.tokenizerInfo.scheme };
  }
}

async function* textsOf(dirs: string[]): AsyncGenerator<string> {
  for (const dir of dirs) yield* readTexts(dir);
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

async function sizeOf(path: string): Promise<number> {
  const st = await stat(path).catch(() => null);
  return st?.isFile() ? st.size : 0;
}

const sessions = new WeakMap<object, CorpusSession>();

/** One session per host context (created on first use). */
export function corpusSession(host: { emit: (e: StudioEvent) => void; settings: { assetsDir: string | undefined } }): CorpusSession {
  let s = sessions.get(host);
  if (!s) {
    s = new CorpusSession(host.emit, host.settings.assetsDir);
    sessions.set(host, s);
  }
  return s;
}
