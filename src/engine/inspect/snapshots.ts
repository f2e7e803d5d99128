// Attention snapshots saved with a run: runs/<name>/attention/step-N.safetensors, one per snapshot
// step, holding for each fixed sentence i and layer l the tensor `s{i}.l{l}` [heads, t, t] (F32)
// and, in the metadata, the sentences, their token ids and token strings (JSON). An
// encoder-decoder's sentence also has its decoder input (`target`: ids and tokens in the metadata)
// and per layer `s{i}.d{l}` (decoder self, [heads, tt, tt]) and `s{i}.x{l}` (cross, [heads, tt, ts]);
// `s{i}.l{l}` is then the encoder's self-attention. Written
// atomically (temp file + rename), so a step file is always complete.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, serializeSafetensors, type TensorToWrite } from '../io/safetensors';
import { writeFileAtomic } from '../runstore/atomic';

export const ATTENTION_DIR = 'attention';
const STEP_FILE = /^step-(\d+)\.safetensors$/;

export interface AttentionSentence {
  text: string;
  ids: number[];
  tokens: string[];
  /** Per layer, [heads, t, t] row-major (row = query position); an encoder-decoder's encoder self-attention. */
  layers: Float32Array[];
  /** Encoder-decoders: the decoder's input tokens ([CLS] target…). */
  target?: { ids: number[]; tokens: string[] };
  /** Encoder-decoders, per layer: decoder self-attention [heads, tt, tt]. */
  decoder?: Float32Array[];
  /** Encoder-decoders, per layer: cross-attention [heads, tt, ts] (decoder queries × encoder keys). */
  cross?: Float32Array[];
}

export interface AttentionSnapshot {
  step: number;
  nLayer: number;
  nHead: number;
  sentences: AttentionSentence[];
}

/** attention/settings.json: the probe sentences and the cadence of the snapshots (the checkpoints'). */
export interface ProbeSettings {
  every: number;
  sentences: string[];
}

const SETTINGS_FILE = 'settings.json';

export function writeProbeSettings(runDir: string, settings: ProbeSettings): void {
  mkdirSync(join(runDir, ATTENTION_DIR), { recursive: true });
  writeFileAtomic(join(runDir, ATTENTION_DIR, SETTINGS_FILE), JSON.stringify(settings, null, 2) + '\n');
}

export function readProbeSettings(runDir: string): ProbeSettings | null {
  const path = join(runDir, ATTENTION_DIR, SETTINGS_FILE);
  if (!existsSync(path)) return null;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ProbeSettings>;
  if (typeof parsed.every !== 'number' || !Array.isArray(parsed.sentences) || !parsed.sentences.every((s) => typeof s === 'string')) {
    throw new Error(`${path}: expected { every: number, sentences: string[] }`);
  }
  return { every: parsed.every, sentences: parsed.sentences };
}

export function snapshotPath(runDir: string, step: number): string {
  return join(runDir, ATTENTION_DIR, `step-${step}.safetensors`);
}

export function writeSnapshot(runDir: string, snap: AttentionSnapshot): string {
  const tensors: Record<string, TensorToWrite> = {};
  snap.sentences.forEach((s, i) => {
    const t = s.ids.length;
    s.layers.forEach((probs, l) => (tensors[`s${i}.l${l}`] = { shape: [snap.nHead, t, t], data: probs }));
    if (s.target) {
      const tt = s.target.ids.length;
      s.decoder?.forEach((probs, l) => (tensors[`s${i}.d${l}`] = { shape: [snap.nHead, tt, tt], data: probs }));
      s.cross?.forEach((probs, l) => (tensors[`s${i}.x${l}`] = { shape: [snap.nHead, tt, t], data: probs }));
    }
  });
  const metadata = {
    format: 'pretrain-studio.attention/1',
    step: String(snap.step),
    nLayer: String(snap.nLayer),
    nHead: String(snap.nHead),
    sentences: JSON.stringify(snap.sentences.map((s) => ({ text: s.text, ids: s.ids, tokens: s.tokens, ...(s.target ? { target: s.target } : {}) }))),
  };
  mkdirSync(join(runDir, ATTENTION_DIR), { recursive: true });
  const path = snapshotPath(runDir, snap.step);
  writeFileAtomic(path, serializeSafetensors(tensors, metadata));
  return path;
}

export function listSnapshots(runDir: string): number[] {
  const dir = join(runDir, ATTENTION_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => STEP_FILE.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

export function readSnapshot(runDir: string, step: number): AttentionSnapshot {
  const path = snapshotPath(runDir, step);
  if (!existsSync(path)) throw new Error(`${runDir}: no attention snapshot at step ${step}`);
  const file = readSafetensors(path);
  const meta = file.metadata;
  if (meta.format !== 'pretrain-studio.attention/1') throw new Error(`${path}: not an attention snapshot (format '${meta.format}')`);
  const nLayer = Number(meta.nLayer);
  const nHead = Number(meta.nHead);
  const described = JSON.parse(meta.sentences) as Omit<AttentionSentence, 'layers'>[];
  const stack = (i: number, part: string) =>
    Array.from({ length: nLayer }, (_, l) => {
      const tensor = file.tensors.get(`s${i}.${part}${l}`);
      if (!tensor || !(tensor.data instanceof Float32Array)) throw new Error(`${path}: tensor s${i}.${part}${l} missing or not F32`);
      return tensor.data;
    });
  const sentences = described.map((s, i) => ({
    ...s,
    layers: stack(i, 'l'),
    ...(s.target ? { decoder: stack(i, 'd'), cross: stack(i, 'x') } : {}),
  }));
  return { step: Number(meta.step), nLayer, nHead, sentences };
}
