// A Hugging Face checkpoint folder on disk → a run folder the rest of the app uses (generate,
// fill-mask, attention, fine-tuning), offline:
//   runs/<name>/config.json                 the objective's HF keys + a pretrain_studio block
//   runs/<name>/tokenizer.json              the folder's tokenizer in the engine's shape, same ids
//   runs/<name>/checkpoints/step-0/         model.safetensors in the engine's layout, state.json
//   runs/<name>/import.json                 where it came from, and what was ignored or initialised
// Weights: model.safetensors, or a sharded model.safetensors.index.json; F16 / BF16 are widened to
// f32. A pytorch_model.bin (a Python pickle, which this app does not execute) is refused.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEFAULT_TRAIN_OPTIONS, validateTrainOptions } from '../config/train-config';
import { parseSafetensors, type SafeTensor } from '../io/safetensors';
import { buildParamLayout, loadParams, type ParamLayout } from '../model/params';
import { trainableObjective } from '../objectives/index.ts';
import { writeJsonAtomic } from '../runstore/atomic';
import { listCheckpoints, writeCheckpoint } from '../runstore/checkpoints';
import { saveTokenizer } from '../tokenizers/io';
import { Tokenizer } from '../tokenizers/tokenizer';
import { runConfigJson, type StudioBlock } from '../train/hf-config';
import { initParams } from '../train/init';
import { CONFIG_FILE, TOKENIZER_FILE } from '../train/run-folder';
import { serializeModel } from '../train/weights-io';
import { planFromHfConfig, type HfModelPlan } from './hf-config';
import { importTokenizer } from './hf-tokenizer';
import { renameTensors } from './tensor-names';

export const IMPORT_FILE = 'import.json';

export interface ImportOptions {
  /** The checkpoint folder (config.json, model.safetensors, tokenizer files). */
  from: string;
  /** The run folder to create (refused if it already holds a run). */
  into: string;
  /** Reports phases ('reading weights', …) and fractions 0..1 for a progress bar. */
  onProgress?: (phase: string, fraction: number) => void;
}

export interface ImportSummary {
  runDir: string;
  from: string;
  architecture: string;
  /** The objective the run is recorded as: clm (GPT-2), mlm or mlm+nsp (BERT, by its weights). */
  objective: string;
  parameters: number;
  /** Source dtypes and how many tensors of each. */
  dtypes: Record<string, number>;
  tokenizer: { source: string; kind: string; vocabSize: number };
  /** Source tensors not loaded, each with the rule that ignored it. */
  ignored: { name: string; why: string }[];
  /** Engine tensors the checkpoint lacked (a head, left at its initial values: not trained). */
  initialised: string[];
  seconds: number;
}

/** The weight files of a checkpoint folder: model.safetensors or its sharded index; refuses pickles by name. */
function weightFiles(folder: string): string[] {
  const single = join(folder, 'model.safetensors');
  const index = join(folder, 'model.safetensors.index.json');
  if (existsSync(single)) return [single];
  if (existsSync(index)) {
    const map = (JSON.parse(readFileSync(index, 'utf8')) as { weight_map?: Record<string, string> }).weight_map;
    if (!map) throw new Error(`${index}: no weight_map`);
    const files = [...new Set(Object.values(map))].map((f) => join(folder, f));
    const missing = files.find((f) => !existsSync(f));
    if (missing) throw new Error(`${missing}: named by the index but missing`);
    return files;
  }
  const pickle = ['pytorch_model.bin', 'tf_model.h5', 'flax_model.msgpack'].find((f) => existsSync(join(folder, f)));
  if (pickle) {
    throw new Error(`${folder}: has ${pickle} but no model.safetensors; import reads safetensors only (a .bin is a Python pickle, which this app does not run). Convert it once with transformers: AutoModel.from_pretrained(folder).save_pretrained(folder, safe_serialization=True)`);
  }
  throw new Error(`${folder}: no model.safetensors (nor model.safetensors.index.json)`);
}

// Read in slices, yielding between them, so a host process keeps answering (and reporting
// progress) while a 500 MB checkpoint loads.
const READ_SLICE = 32 << 20;

/** The folder's tensors; `progress` gets the fraction of the weight bytes read. */
async function readWeights(folder: string, progress: (f: number) => void): Promise<Map<string, SafeTensor>> {
  const files = weightFiles(folder);
  const total = files.reduce((n, f) => n + statSync(f).size, 0);
  const tensors = new Map<string, SafeTensor>();
  let done = 0;
  for (const path of files) {
    const file = await open(path, 'r');
    try {
      const bytes = Buffer.allocUnsafe((await file.stat()).size);
      for (let at = 0; at < bytes.length;) {
        const { bytesRead } = await file.read(bytes, at, Math.min(READ_SLICE, bytes.length - at), at);
        if (bytesRead === 0) throw new Error(`${path}: ended at byte ${at} of ${bytes.length} while reading (was it truncated?)`);
        at += bytesRead;
        done += bytesRead;
        progress(total ? done / total : 1);
      }
      for (const [name, t] of parseSafetensors(bytes, path).tensors) tensors.set(name, t);
    } finally {
      await file.close();
    }
  }
  return tensors;
}

function sameValues(a: SafeTensor, b: SafeTensor): boolean {
  if (a.shape.join(',') !== b.shape.join(',') || a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

/** The engine's layout for this checkpoint and its weights in it; refusals name the architecture. */
export function layoutCheckpoint(plan: HfModelPlan, tensors: Map<string, SafeTensor>, where: string) {
  const tied = plan.model.tiedEmbeddings;
  const renamed = (() => {
    try {
      return renameTensors(plan.family, [...tensors.keys()], tied, (a, b) => sameValues(tensors.get(a)!, tensors.get(b)!));
    } catch (error) {
      throw new Error(`${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  })();
  const pooler = plan.family === 'bert' && renamed.load.has('bert.pooler.dense.weight');
  const objective = plan.family === 'gpt2' ? 'clm' : pooler ? 'mlm+nsp' : 'mlm';
  const model = { ...plan.model, pooler };
  const layout: ParamLayout = buildParamLayout(model, { heads: trainableObjective(objective).heads });
  const byEngine = new Map<string, SafeTensor>();
  for (const [engine, source] of renamed.load) byEngine.set(engine, tensors.get(source)!);
  const known = new Set(layout.slabs.flatMap((s) => s.parts.map((p) => p.name)));
  const stray = [...renamed.load].filter(([engine]) => !known.has(engine)).map(([, source]) => source);
  if (stray.length) {
    throw new Error(`${where}: ${plan.architecture} has no place for ${stray.length} tensor${stray.length > 1 ? 's' : ''}: ${stray.slice(0, 6).join(', ')}${stray.length > 6 ? ', …' : ''} (is it another architecture than config.json says?)`);
  }
  let loaded;
  try {
    loaded = loadParams(layout, byEngine, initParams(layout, 0));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${where}: ${plan.architecture} ${message.replace(/^checkpoint: /, '')}`, { cause: error });
  }
  return { layout, objective, params: loaded.flat, initialised: loaded.initialised, ignored: renamed.ignored };
}

/** Imports `from` into a new run folder `into`; returns what it did. */
export async function importHfCheckpoint(o: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const from = resolve(o.from), runDir = resolve(o.into);
  const progress = o.onProgress ?? (() => {});
  if (!existsSync(from)) throw new Error(`${from}: no such folder`);
  const configPath = join(from, 'config.json');
  if (!existsSync(configPath)) throw new Error(`${from}: no config.json (a Hugging Face checkpoint folder has config.json and model.safetensors)`);
  if (existsSync(join(runDir, CONFIG_FILE)) || listCheckpoints(runDir).length) throw new Error(`${runDir} already holds a run; pick another name (--into)`);
  let hf: Record<string, unknown>;
  try {
    hf = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${configPath}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const plan = planFromHfConfig(hf, configPath);
  const tokenizer = importTokenizer(from);
  const tok = new Tokenizer(tokenizer.json);
  if (tok.vocabSize > plan.model.vocabSize) {
    throw new Error(`${from}: the tokenizer (${tokenizer.source}) has ${tok.vocabSize} tokens, the model's vocab_size is ${plan.model.vocabSize}`);
  }
  progress('reading weights', 0);
  const tensors = await readWeights(from, (f) => progress('reading weights', f * 0.8));
  const dtypes: Record<string, number> = {};
  for (const t of tensors.values()) dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + 1;
  const { layout, objective, params, initialised, ignored } = layoutCheckpoint(plan, tensors, from);
  const model = layout.config;

  progress('writing the run', 0.85);
  const options = validateTrainOptions({
    ...DEFAULT_TRAIN_OPTIONS, objective, tokenizer: tok.kind, ...(tok.vocabSize >= 64 ? { vocabSize: tok.vocabSize } : {}),
    nLayer: model.nLayer, nHead: model.nHead, nEmbd: model.nEmbd, blockSize: model.blockSize, ffWidth: model.ffWidth,
    dropout: model.dropout, bias: true, runsDir: resolve(runDir, '..'), name: runDir.split(/[\\/]/).pop() ?? '',
  }, 'import');
  const studio: StudioBlock = {
    version: 1, objective, options, model,
    data: { inputs: [from], corpusHash: '', documents: 0, characters: 0, shardKey: '', shardDir: '', tokens: 0, trainTokens: 0, valTokens: 0, split: 'imported' },
    tokenizer: { kind: tok.kind, vocabSize: tok.vocabSize, hash: tok.hash },
    parameters: layout.count,
    createdAt: new Date().toISOString(),
  };
  writeCheckpoint(runDir, {
    model: serializeModel(layout, params, { source: 'hf-import' }),
    state: { step: 0, optimizerStep: 0, data: {}, savedAt: studio.createdAt },
  }, 1);
  saveTokenizer(tok, join(runDir, TOKENIZER_FILE));
  writeJsonAtomic(join(runDir, CONFIG_FILE), runConfigJson(studio, trainableObjective(objective).hfConfig(model, tok)));
  const summary: ImportSummary = {
    runDir, from, architecture: plan.architecture, objective, parameters: layout.count, dtypes,
    tokenizer: { source: tokenizer.source, kind: tok.kind, vocabSize: tok.vocabSize },
    ignored, initialised, seconds: (performance.now() - started) / 1000,
  };
  writeJsonAtomic(join(runDir, IMPORT_FILE), { ...summary, importedAt: studio.createdAt });
  progress('done', 1);
  return summary;
}
