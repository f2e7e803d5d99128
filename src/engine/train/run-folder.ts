// The run folder (DESIGN.md "Runs on disk"): created for a new run, read back to resume one.
//   config.json  HF model keys + pretrain_studio { options, model, data, tokenizer }
//   tokenizer.json, metrics.jsonl, checkpoints/step-N/, data/shards/ (the run's own token shards:
//   hard links to the cache where they can be, so a copied folder resumes), data/shards.json (the cache entry)
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TrainOptions } from '../config/train-config';
import { writeJsonAtomic } from '../runstore/atomic';
import { listCheckpoints } from '../runstore/checkpoints';
import { activationFromHf, type RunConfigJson, type StudioBlock } from './hf-config';

export const CONFIG_FILE = 'config.json';
export const TOKENIZER_FILE = 'tokenizer.json';
export const METRICS_FILE = 'metrics.jsonl';

function stamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Picks and creates runs/<name>; refuses a folder that already holds a run (resume it instead). */
export function createRunDir(o: TrainOptions): string {
  const base = resolve(o.runsDir, o.name || `${o.objective}-${stamp()}`);
  let dir = base;
  if (!o.name) for (let i = 2; existsSync(dir); i++) dir = `${base}-${i}`;
  if (existsSync(join(dir, CONFIG_FILE)) || listCheckpoints(dir).length > 0) {
    throw new Error(`${dir} already holds a run: resume it with --resume ${dir}, or pick another --name`);
  }
  mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  mkdirSync(join(dir, 'data'), { recursive: true });
  return dir;
}

/**
 * Removes what a new run wrote to its folder before its first step (tokenizer, config, its token
 * shards and their record, the empty checkpoints folder), then the folder if nothing else is in
 * it: a run stopped while preparing leaves no half-made run behind. Refuses a folder that holds
 * a checkpoint (that is a run, not a preparation).
 */
export function discardUnstartedRun(runDir: string): void {
  if (listCheckpoints(runDir).length > 0) throw new Error(`${runDir} holds a checkpoint: it is a run, not discarded`);
  for (const name of [CONFIG_FILE, TOKENIZER_FILE, METRICS_FILE, 'data', 'checkpoints']) rmSync(join(runDir, name), { recursive: true, force: true });
  // A folder the person named may hold other files of theirs: it stays then.
  if (existsSync(runDir) && readdirSync(runDir).length === 0) rmdirSync(runDir);
}

export function writeRunConfig(runDir: string, config: RunConfigJson): void {
  writeJsonAtomic(join(runDir, CONFIG_FILE), config);
}

export function readRunConfig(runDir: string): RunConfigJson {
  const path = join(runDir, CONFIG_FILE);
  if (!existsSync(path)) throw new Error(`${runDir} is not a run folder (no ${CONFIG_FILE})`);
  const json = JSON.parse(readFileSync(path, 'utf8')) as RunConfigJson;
  const block = json.pretrain_studio as StudioBlock | undefined;
  if (!block || block.version !== 1 || !block.options || !block.model) throw new Error(`${path}: no pretrain_studio block (not written by Pretrain Studio?)`);
  return { ...json, pretrain_studio: migrateStudioBlock(withActivation(block, json)) };
}

/**
 * The model's GELU form: the studio block's own, else the Hugging Face key beside it (hidden_act
 * for BERT, activation_function for GPT-2 and BART; 'gelu_new' is the tanh form), else tanh, the
 * only form runs were written with before the erf kernel existed. A resumed run keeps its form.
 */
function withActivation(block: StudioBlock, json: Record<string, unknown>): StudioBlock {
  if (block.model.activation) return block;
  const hf = json.hidden_act ?? json.activation_function;
  const activation = typeof hf === 'string' ? activationFromHf(hf) : 'gelu_tanh';
  return { ...block, model: { ...block.model, activation } };
}

/**
 * Folders written before the objective registry called BERT pretraining (masked LM + next
 * sentence, a model with a pooler) 'mlm'; today 'mlm' is masked LM alone and BERT's pair is
 * 'mlm+nsp'. The model block says which one a run trained, so such a folder still resumes as itself.
 */
export function migrateStudioBlock(block: StudioBlock): StudioBlock {
  if (block.objective !== 'mlm' || !block.model.pooler) return block;
  return { ...block, objective: 'mlm+nsp', options: { ...block.options, objective: 'mlm+nsp' } };
}
