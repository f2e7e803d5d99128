// The run folders of the runs directory as the Runs and Attention pages read them: the list, one
// run's options and samples, its metrics history (paged, cached by file size), deletion, saved
// attention snapshots and inspection of a saved checkpoint. The active run only colours the
// list (its live state) and protects its folder from deletion, through `live`.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { AttentionResult } from '../../../protocol/commands/attention-types.ts';
import type { AttentionSettings, RunEntry, RunSample } from '../../../protocol/commands/run-types.ts';
import type { GpuContext } from '../../gpu/device';
import { attentionDifferences, AttentionInspector, headStats, inspectSentences, listSnapshots, readSnapshot, type AttentionSnapshot, type HeadStat } from '../../inspect';
import type { CompareSource } from '../../../protocol/commands/attention-compare.ts';
import { latestCheckpoint } from '../../runstore/checkpoints';
import { readMetrics, type MetricRecord } from '../../runstore/metrics-log';
import { CONFIG_FILE, deserializeModel, loadRunTokenizers, METRICS_FILE, readRunConfig } from '../../train/index.ts';
import { demoRunDirs, describeRun, insideRunsDir, listRunDirs, readAttentionSettings, readSamples } from './folder';

/** Attention maps above this many bytes do not fit one message over the bridge (1 MiB, base64). */
const MAX_ATTENTION_BYTES = 600_000;

/** What the folders need to know of the active run: its folder's live state, if it is that run. */
export type LiveState = (runDir: string) => { status: RunEntry['status']; step?: number } | null;

export class RunFolders {
  private historyCache: { path: string; size: number; records: MetricRecord[] } | null = null;

  constructor(
    readonly runsDir: string,
    private readonly gpu: () => Promise<GpuContext>,
    private readonly live: LiveState,
    /** The built-in demo runs (assets/demo-models), listed after the user's and read-only. */
    readonly demoDir?: string,
  ) {}

  /** A run folder to read: inside the runs directory or a demo run; an error naming it otherwise. */
  inside(runDir: string): string {
    if (this.isDemo(runDir)) return resolve(runDir);
    return insideRunsDir(this.runsDir, runDir);
  }

  /** A run folder to change (delete, resume): inside the runs directory, never a demo run. */
  writable(runDir: string): string {
    if (this.isDemo(runDir)) throw new Error(`${basename(runDir)} is a built-in demo model: it is read-only (fine-tune or prompt it, or train your own run)`);
    return insideRunsDir(this.runsDir, runDir);
  }

  isDemo(runDir: string): boolean {
    if (!this.demoDir) return false;
    try {
      insideRunsDir(this.demoDir, runDir);
      return existsSync(join(resolve(runDir), CONFIG_FILE));
    } catch {
      return false;
    }
  }

  list(): { runsDir: string; runs: RunEntry[] } {
    const runs: RunEntry[] = [];
    for (const dir of listRunDirs(this.runsDir)) {
      try {
        runs.push(this.describe(dir));
      } catch {
        // A folder that is not (yet) a readable run: leave it out of the list.
      }
    }
    for (const dir of this.demoDir ? demoRunDirs(this.demoDir) : []) {
      try {
        runs.push({ ...describeRun(dir), demo: true });
      } catch {
        // a damaged demo folder is left out, as a damaged run is
      }
    }
    return { runsDir: this.runsDir, runs };
  }

  open(runDir: string): { run: RunEntry; options: Record<string, unknown>; samples: RunSample[]; attention: AttentionSettings | null } {
    const dir = this.inside(runDir);
    const run = this.describe(dir);
    let options: Record<string, unknown> = {};
    try {
      const studio = readRunConfig(dir).pretrain_studio as { options: Record<string, unknown>; finetune?: { options: Record<string, unknown>; from: string; init: string; scope: string; labels: string[] } };
      // A fine-tuned classifier shows its own settings, not those of the run it started from.
      const ft = studio.finetune;
      options = ft ? { ...ft.options, from: ft.from, init: ft.init, scope: ft.scope, labels: ft.labels.join(', ') } : { ...studio.options };
    } catch {
      // still preparing: no config.json yet
    }
    return { run, options, samples: readSamples(dir), attention: readAttentionSettings(dir) };
  }

  history(runDir: string, offset = 0, limit = 2000): { records: MetricRecord[]; total: number; next: number | null } {
    const path = join(this.inside(runDir), METRICS_FILE);
    let size = -1;
    try {
      size = statSync(path).size;
    } catch {
      return { records: [], total: 0, next: null };
    }
    if (this.historyCache?.path !== path || this.historyCache.size !== size) this.historyCache = { path, size, records: readMetrics(path) };
    const all = this.historyCache.records;
    const records = all.slice(offset, offset + limit).map(finiteOnly);
    const end = offset + records.length;
    return { records, total: all.length, next: end < all.length ? end : null };
  }

  delete(runDir: string): { deleted: string } {
    const dir = this.writable(runDir);
    if (this.live(dir)) throw new Error(`${dir} is the active run: stop it before deleting it`);
    rmSync(dir, { recursive: true, force: true });
    return { deleted: dir };
  }

  snapshots(runDir: string): { steps: number[]; sentences: string[]; every: number | null } {
    const dir = this.inside(runDir);
    const settings = readAttentionSettings(dir);
    return { steps: listSnapshots(dir), sentences: settings?.sentences ?? [], every: settings?.every ?? null };
  }

  snapshot(runDir: string, step: number): AttentionResult {
    const dir = this.inside(runDir);
    return attentionResult(readSnapshot(dir, step), dir);
  }

  /** Per-head statistics of the snapshot at `step`, over all its probe sentences. */
  heads(runDir: string, step: number): { step: number; nLayer: number; nHead: number; kind: string; sentences: string[]; heads: HeadStat[] } {
    const dir = this.inside(runDir);
    const snap = readSnapshot(dir, step);
    const described = attentionResult(snap, dir);
    return { step, nLayer: snap.nLayer, nHead: snap.nHead, kind: described.kind, sentences: snap.sentences.map((s) => s.text), heads: headStats(snap.sentences, snap.nLayer, snap.nHead) };
  }

  /** One sentence under two sets of weights and the difference b − a. */
  async compare(a: CompareSource, b: CompareSource, sentence: string): Promise<{ a: AttentionResult; b: AttentionResult; diff: Float32Array[]; diffDecoder?: Float32Array[]; diffCross?: Float32Array[] }> {
    const ra = await this.oneSentence(a, sentence);
    const rb = await this.oneSentence(b, sentence);
    const d = attentionDifferences(ra.sentences[0], rb.sentences[0], { a: ra, b: rb });
    return { a: ra, b: rb, diff: d.layers, ...(d.decoder ? { diffDecoder: d.decoder, diffCross: d.cross } : {}) };
  }

  private async oneSentence(source: CompareSource, sentence: string): Promise<AttentionResult> {
    if (source.kind === 'checkpoint') return this.inspectCheckpoint(source.runDir, source.step, [sentence]);
    const full = this.snapshot(source.runDir, source.step);
    const found = full.sentences.find((s) => s.text === sentence);
    if (!found) throw new Error(`${source.runDir}: the snapshot at step ${source.step} has no probe "${sentence}" (its probes: ${full.sentences.map((s) => s.text).join(' · ')}); compare a checkpoint instead`);
    return { ...full, sentences: [found] };
  }

  /** Attention of sentences under a saved checkpoint (the latest when `step` is absent), on a throwaway inspector. */
  async inspectCheckpoint(runDir: string, step: number | undefined, sentences: string[]): Promise<AttentionResult> {
    const dir = this.inside(runDir);
    const at = step ?? latestCheckpoint(dir);
    if (at === undefined) throw new Error(`${dir} has no checkpoint yet`);
    const { model, objective } = readRunConfig(dir).pretrain_studio;
    const tokenizer = await loadRunTokenizers(dir); // an encoder-decoder's decoder rows by the target tokenizer
    const inspector = new AttentionInspector(await this.gpu(), model);
    try {
      const modelPath = join(dir, 'checkpoints', `step-${at}`, 'model.safetensors');
      inspector.setParams(deserializeModel(inspector.layout, readFileSync(modelPath), modelPath).params);
      return attentionResult(await inspectSentences(inspector, tokenizer, sentences, at, objective), dir);
    } finally {
      inspector.destroy();
    }
  }

  private describe(dir: string): RunEntry {
    const entry = describeRun(dir);
    const live = this.live(dir);
    return live ? { ...entry, status: live.status, step: live.step ?? entry.step } : entry;
  }
}

/** NaN and infinities become absent (JSON would turn them into null, which the schemas refuse). */
export function finiteOnly(record: MetricRecord): MetricRecord {
  const out: MetricRecord = { step: record.step, time: record.time, split: record.split };
  for (const [k, v] of Object.entries(record)) if (typeof v === 'string' || Number.isFinite(v)) out[k] = v;
  return out;
}

/** The engine's maps as the wire carries them, described by the run folder's tokenizer and model kind. */
export function attentionResult(snap: AttentionSnapshot, runDir: string): AttentionResult {
  const bytes = snap.sentences.reduce((n, s) => n + [...s.layers, ...(s.decoder ?? []), ...(s.cross ?? [])].reduce((m, l) => m + l.byteLength, 0), 0);
  if (bytes > MAX_ATTENTION_BYTES) {
    throw new Error(`attention maps of ${snap.sentences.length} sentence(s) take ${bytes} bytes, over the ${MAX_ATTENTION_BYTES}-byte message limit: inspect fewer or shorter sentences`);
  }
  let tokenizer = 'char';
  let model: string | undefined;
  try {
    const studio = readRunConfig(runDir).pretrain_studio;
    tokenizer = studio.tokenizer.kind;
    model = studio.model.kind;
  } catch {
    // still preparing: the defaults above
  }
  return {
    step: snap.step,
    nLayer: snap.nLayer,
    nHead: snap.nHead,
    scheme: tokenizer === 'bpe' ? 'byte-level' : tokenizer === 'wordpiece' ? 'wordpiece' : 'plain',
    kind: model === 'encoder' ? 'encoder self' : model === 'encoder-decoder' ? 'encoder-decoder' : 'decoder self',
    sentences: snap.sentences.map((s) => ({
      text: s.text, ids: s.ids, tokens: s.tokens, layers: s.layers,
      ...(s.target ? { target: s.target, decoder: s.decoder, cross: s.cross } : {}),
    })),
  };
}
