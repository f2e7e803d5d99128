// A run keeps its own token shards (data/shards/), so a run folder copied or moved to another
// machine resumes without its corpus or the runs directory's cache. The files are hard links to
// the cache's where both are on one file system (no second copy on disk), else copies; the folder
// appears whole or not at all (written beside it, then renamed).
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openShards } from '../data/shards';
import { StatsAccumulator } from '../data/stats';
import { SEP } from '../tokenizers/specials';
import type { Tokenizer } from '../tokenizers/tokenizer';
import type { RunTokenizers } from './run-tokenizers';
import type { TrainOptions } from '../config/train-config';
import { splitForRun, type RunData } from './prepare';

export const RUN_SHARDS_DIR = join('data', 'shards');

/** Links (or copies) the shard folder `shardsDir` into the run as data/shards/. */
export function keepShardsWithRun(runDir: string, shardsDir: string): void {
  const dest = join(runDir, RUN_SHARDS_DIR);
  if (existsSync(join(dest, 'meta.json'))) return;
  const tmp = `${dest}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const file of readdirSync(shardsDir)) {
    try {
      linkSync(join(shardsDir, file), join(tmp, file));
    } catch {
      copyFileSync(join(shardsDir, file), join(tmp, file));
    }
  }
  renameSync(tmp, dest);
}

/**
 * The run's data from its own shards, or null if it has none (a run made before runs kept them).
 * Shards whose key is not the one config.json records are refused: they are not this run's data.
 */
export async function openRunShards(runDir: string, shardKey: string, o: TrainOptions, tokenizers: RunTokenizers): Promise<RunData | null> {
  const tokenizer = tokenizers.source;
  const dir = join(runDir, RUN_SHARDS_DIR);
  if (!existsSync(join(dir, 'meta.json'))) return null;
  const dataset = await openShards(dir);
  if (dataset.meta.key !== shardKey) {
    throw new Error(`${dir}: these token shards (${dataset.meta.key.slice(0, 16)}) are not the ones this run trained on (${shardKey.slice(0, 16)}, config.json); was the folder mixed with another run's?`);
  }
  // The script mix from the start of the token stream: the corpus itself may not be on this machine.
  // With a tokenizer per side the stream mixes two vocabularies: the sources' script is sampled
  // (what the probes are written in), each document's ids up to its first [SEP].
  const sample = new StatsAccumulator();
  const head = Array.from(dataset.tokens.subarray(0, 200_000));
  sample.add(tokenizer.decode(tokenizers.separate ? sourceIds(head, tokenizer, dataset.meta.separator) : head), undefined);
  return { tokenizer, ...(tokenizers.separate ? { targetTokenizer: tokenizers.target } : {}), scripts: sample.stats.scripts, shards: { dir, meta: dataset.meta, cacheHit: true }, dataset, ...splitForRun(dataset, o) };
}

/** The source ids of a paired stream: each document's ids before its first [SEP]. */
function sourceIds(ids: readonly number[], tok: Tokenizer, separator: readonly number[]): number[] {
  const sep = tok.tokenToId(SEP);
  const out: number[] = [];
  let inSource = true;
  for (let i = 0; i < ids.length; i++) {
    if (separator.length && separator.every((s, j) => ids[i + j] === s)) { inSource = true; i += separator.length - 1; continue; }
    if (ids[i] === sep) inSource = false;
    else if (inSource) out.push(ids[i]);
  }
  return out;
}

/** Where a run's shards are: its own data/shards/, else the cache folder data/shards.json names (older runs), else null. */
export function runShardsDir(runDir: string): string | null {
  const own = join(runDir, RUN_SHARDS_DIR);
  if (existsSync(join(own, 'meta.json'))) return own;
  const ref = join(runDir, 'data', 'shards.json');
  if (!existsSync(ref)) return null;
  const { dir } = JSON.parse(readFileSync(ref, 'utf8')) as { dir?: string };
  return dir && existsSync(join(dir, 'meta.json')) ? dir : null;
}
