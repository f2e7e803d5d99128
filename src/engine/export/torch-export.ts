// `export --format torch`: a run folder's checkpoint as a self-contained folder that PyTorch
// distributed training (torchrun, DDP/FSDP) continues, and `import-run` brings back:
//   <out>/config.json, model.safetensors, tokenizer.json   the model in Hugging Face layout
//   <out>/optimizer.safetensors, state.json                AdamW m, v, step; the checkpoint's state
//   <out>/export.json                                      source run, step, parameter names + decay groups
//   <out>/data/tokens-NNNNN.bin, data/index.json           token ids (flat LE arrays) + split ranges
//   <out>/data/{train,val}-documents.bin                   each split's documents (int32), as the engine has them
//   <out>/data/sent-start.bin, sent-end.bin, doc-sentences.bin, word-start.bin
//                                                          BERT's sentences and word starts (TextUnits), when the collator uses them
//   <out>/train.py, README.md                              the trainer and how to launch it
//   <out>/metrics.jsonl, checkpoints/step-N/               written by train.py as it goes
// Objectives: 'clm' (GPT), 'mlm' (BERT masked LM alone: no pooler, no NSP head) and 'mlm+nsp'
// (sentence pairs + NSP head). export.json carries the collator's special ids and settings; the
// sentence and word index is computed here by the engine (text-units.ts: Intl.Segmenter for Chinese
// words), so train.py needs no tokenizer or segmenter to draw the same rows.
// Data order: train.py ports the engine's sampler (mulberry32 over (seed, draw)) rather than a
// recorded list of upcoming batches, so any number of further steps draws exactly the engine's
// batches; the split ranges are exported as the engine computes them (not re-derived in Python).
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateTrainOptions } from '../config/train-config';
import { runShardsDir } from '../train/run-shards';
import { numberChunks, openShards, splitDataset, textUnits, valueAt, type DataSplit, type TextUnits } from '../data';
import { NumberWriter } from '../data/number-writer';
import { chunksOf } from '../data/token-store';
import { allParts } from '../model/params';
import { paramLayoutFor } from '../config/train-config';
import { writeFileAtomic, writeJsonAtomic } from '../runstore/atomic';
import { latestCheckpoint, listCheckpoints, readCheckpoint } from '../runstore/checkpoints';
import { readRunConfig, TOKENIZER_FILE } from '../train/run-folder';
import { deserializeOptimizer } from '../train/weights-io';
import { strictLoad } from './strict-load';
import { mlmSpecials } from '../objectives/mlm-collator';
import { loadTokenizer } from '../tokenizers';
import { torchReadme } from './readme';

export const EXPORT_FORMAT = 'pretrain-studio-torch';
export const EXPORT_VERSION = 1;

/** Objectives train.py reproduces; the others are refused by name. */
export const TORCH_OBJECTIVES = ['clm', 'mlm', 'mlm+nsp'] as const;

export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  version: number;
  /** The run folder exported (absolute), its objective and the checkpoint step. */
  sourceRun: string;
  objective: string;
  step: number;
  exportedAt: string;
  /** Every parameter by its Hugging Face name in the engine's layout order, with its decay group. */
  parameters: { name: string; shape: number[]; decay: boolean }[];
  /**
   * BERT's collator ('mlm', 'mlm+nsp'): the specials, the ordinary ids random replacements come
   * from, sentence pairs + NSP labels (pairs) and whole-word masking (data/index.json's textUnits).
   */
  mlm?: { cls: number; sep: number; pad: number; mask: number; normalIds: number[]; pairs: boolean; wholeWordMask: boolean };
}

export interface TorchExportOptions {
  /** Checkpoint step to export (default the latest). */
  step?: number;
  /** Replace a folder that already holds an export. */
  force?: boolean;
}

export interface TorchExportResult {
  outDir: string;
  step: number;
  tokens: number;
  parameters: number;
}

const TEMPLATE = fileURLToPath(new URL('./templates/train.py', import.meta.url));

function ranges(split: DataSplit): [number, number][] {
  return Array.from(split.starts, (s, i) => [s, valueAt(split.ends, i)]);
}

/** A typed array's bytes, little-endian (what numpy.fromfile reads with '<u8', '<i4', '|u1'). */
function leBytes(a: BigUint64Array | Int32Array | Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength);
  const view = new DataView(out.buffer);
  if (a instanceof BigUint64Array) a.forEach((v, i) => view.setBigUint64(i * 8, v, true));
  else if (a instanceof Int32Array) a.forEach((v, i) => view.setInt32(i * 4, v, true));
  else out.set(a);
  return out;
}

/**
 * The TextUnits files and their index entry: { name: { file, dtype, length } }. Streamed through
 * fixed buffers from what may be file-backed lists (the export folder is renamed into place whole).
 */
function writeTextUnits(dir: string, u: TextUnits): Record<string, { file: string; dtype: string; length: number }> {
  const lists = {
    sentStart: ['sent-start.bin', '<u8', 'uint64', u.sentStart],
    sentEnd: ['sent-end.bin', '<u8', 'uint64', u.sentEnd],
    docSentences: ['doc-sentences.bin', '<i4', 'int32', u.docSentences],
  } as const;
  const index: Record<string, { file: string; dtype: string; length: number }> = {};
  for (const [name, [file, dtype, type, list]] of Object.entries(lists)) {
    const w = new NumberWriter(join(dir, file), type);
    for (const { values } of numberChunks(list)) for (const v of values) w.push(v);
    w.close();
    index[name] = { file, dtype, length: list.length };
  }
  const fd = openSync(join(dir, 'word-start.bin'), 'w');
  try {
    for (const { ids } of chunksOf(u.wordStart)) for (let off = 0; off < ids.length;) off += writeSync(fd, ids, off, ids.length - off);
  } finally { closeSync(fd); }
  index.wordStart = { file: 'word-start.bin', dtype: '|u1', length: u.wordStart.length };
  return index;
}

export async function exportTorch(runDirIn: string, outDirIn: string, opts: TorchExportOptions = {}): Promise<TorchExportResult> {
  const runDir = resolve(runDirIn);
  const outDir = resolve(outDirIn);
  if (!existsSync(runDir)) throw new Error(`export: no run folder at ${runDir}`);
  const config = readRunConfig(runDir);
  const studio = config.pretrain_studio;
  if (!(TORCH_OBJECTIVES as readonly string[]).includes(studio.objective)) {
    throw new Error(`export --format torch: objective '${studio.objective}' is not supported yet; the PyTorch trainer covers 'clm' (GPT), 'mlm' and 'mlm+nsp' (BERT)`);
  }
  const steps = listCheckpoints(runDir);
  const step = opts.step ?? latestCheckpoint(runDir);
  if (step === undefined) throw new Error(`export: ${runDir} has no checkpoint yet (train it first: a checkpoint is written every --checkpointEvery steps and on stop)`);
  if (!steps.includes(step)) throw new Error(`export: ${runDir} has no checkpoint step-${step} (it has ${steps.map((s) => `step-${s}`).join(', ') || 'none'})`);
  if (existsSync(outDir) && !opts.force) throw new Error(`export: ${outDir} already exists; choose another --out or pass --force to replace it`);

  const ck = readCheckpoint(runDir, step);
  if (!ck.optimizer) throw new Error(`export: checkpoint step-${step} of ${runDir} has no optimizer.safetensors; training could not continue exactly`);
  if (studio.options.frozen?.length) throw new Error(`export: this run freezes ${studio.options.frozen.join(', ')}; train.py trains every tensor, so frozen runs are not exported`);
  const layout = paramLayoutFor({ objective: studio.objective, frozen: [] }, studio.model);
  // Parse both files now so a damaged checkpoint fails here, not on the cluster.
  strictLoad(layout, ck.model, `step-${step}/model.safetensors`);
  deserializeOptimizer(layout, ck.optimizer, `step-${step}/optimizer.safetensors`);

  const shardsDir = runShardsDir(runDir);
  if (!shardsDir) {
    throw new Error(`export: the run's token shards are neither in ${join(runDir, 'data', 'shards')} nor where data/shards.json says; resume the run once on this machine to rebuild them`);
  }
  const ds = await openShards(shardsDir);
  if (ds.meta.key !== studio.data.shardKey) throw new Error(`export: the shards at ${shardsDir} are not the ones this run trained on`);
  const o = validateTrainOptions({ ...studio.options });
  // The same split the trainer computes (prepare.ts), from the same shards.
  const { train, val } = splitDataset(ds, o.split === 'tail' ? { kind: 'stream', valFraction: o.valFraction } : { kind: 'documents', valFraction: o.valFraction, seed: o.seed });

  // BERT's collator as the run builds it (objectives/mlm.ts, mlm-nsp.ts -> mlmCollator(tok, pairs, o)):
  // the sentence and word index exists where pairs or whole-word masking read it.
  let mlm: ExportManifest['mlm'];
  let units: TextUnits | null = null;
  if (studio.objective === 'mlm' || studio.objective === 'mlm+nsp') {
    const tok = await loadTokenizer(join(runDir, TOKENIZER_FILE));
    const sp = mlmSpecials(tok);
    const pairs = studio.objective === 'mlm+nsp';
    mlm = { cls: sp.cls, sep: sp.sep, pad: sp.pad, mask: sp.mask, normalIds: [...sp.normalIds], pairs, wholeWordMask: o.wholeWordMask };
    if (pairs || o.wholeWordMask) units = textUnits(ds, tok);
  }

  // Build beside the target and rename into place: a half-written export never looks complete.
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'data'), { recursive: true });
  try {
    writeJsonAtomic(join(tmp, 'config.json'), config);
    copyFileSync(join(runDir, TOKENIZER_FILE), join(tmp, 'tokenizer.json'));
    writeFileAtomic(join(tmp, 'model.safetensors'), ck.model);
    writeFileAtomic(join(tmp, 'optimizer.safetensors'), ck.optimizer);
    writeJsonAtomic(join(tmp, 'state.json'), ck.state);
    for (const s of ds.meta.shards) copyFileSync(join(shardsDir, s.file), join(tmp, 'data', s.file));
    copyFileSync(join(shardsDir, 'docs.bin'), join(tmp, 'data', 'docs.bin'));
    // The shard cache's own meta.json, so import-run can restore the cache on a machine without it.
    copyFileSync(join(shardsDir, 'meta.json'), join(tmp, 'data', 'meta.json'));
    if (ds.labels) copyFileSync(join(shardsDir, 'labels.bin'), join(tmp, 'data', 'labels.bin'));
    const documents = (split: DataSplit, file: string) => {
      writeFileAtomic(join(tmp, 'data', file), [...numberChunks(split.documents)].map((c) => leBytes(Int32Array.from(c.values))));
      return { file, dtype: '<i4', length: split.documents.length };
    };
    writeJsonAtomic(join(tmp, 'data', 'index.json'), {
      // numpy.memmap(file, dtype='<u2' or '<u4', mode='r') per shard; documents in docs.bin as uint64 starts.
      dtype: ds.meta.dtype === 'uint16' ? '<u2' : '<u4',
      numTokens: ds.meta.numTokens,
      numDocuments: ds.meta.numDocuments,
      separator: ds.meta.separator,
      shards: ds.meta.shards,
      docs: 'docs.bin',
      shardKey: ds.meta.key,
      split: studio.data.split,
      train: ranges(train),
      val: ranges(val),
      // Documents (corpus indices, ascending) of each split: where BERT's pairs come from.
      trainDocuments: documents(train, 'train-documents.bin'),
      valDocuments: documents(val, 'val-documents.bin'),
      // Sentences (stream offsets [sentStart, sentEnd), those of document d at docSentences[d] ..
      // docSentences[d + 1] - 1) and wordStart (1 where a token begins a word), or null where the
      // collator does not read them ('mlm' without whole-word masking, and 'clm').
      textUnits: units ? writeTextUnits(join(tmp, 'data'), units) : null,
    });
    const manifest: ExportManifest = {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      sourceRun: runDir,
      objective: studio.objective,
      step,
      exportedAt: new Date().toISOString(),
      parameters: layout.slabs.flatMap((s) => s.parts.map((p) => ({ name: p.name, shape: p.shape, decay: s.decay }))),
    };
    if (mlm) manifest.mlm = mlm;
    writeJsonAtomic(join(tmp, 'export.json'), manifest);
    writeFileAtomic(join(tmp, 'train.py'), readFileSync(TEMPLATE));
    writeFileAtomic(join(tmp, 'README.md'), torchReadme({ studio, step, tokens: ds.meta.numTokens, trainTokens: train.tokens, valTokens: val.tokens }));
    writeFileAtomic(join(tmp, 'metrics.jsonl'), '');
    if (existsSync(outDir)) rmSync(outDir, { recursive: true, force: true });
    mkdirSync(dirname(outDir), { recursive: true });
    renameSync(tmp, outDir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return { outDir, step, tokens: ds.meta.numTokens, parameters: allParts(layout).reduce((n, p) => n + p.numel, 0) };
}
