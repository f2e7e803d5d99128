// Where NSP pairs can start in one split: the sentences with a successor in the same document.
// Held per document of the split (first sentence inside the split, end, and the cumulative count of
// pair starts before it), so a pair start is found from its rank by a binary search:
//
//   rank i  →  document j with cumPairs[j] <= i < cumPairs[j + 1]  →  sentence docFirst[j] + i - cumPairs[j]
//
// A split of many documents keeps these three lists in files read by block (number-list.ts), not in
// memory: they are written by one streaming pass into a folder of this process's own under the
// system's temporary folder (removed when the process exits; the pass costs what hashing the split to
// cache them would), so training's memory does not grow with the number of documents.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSplit, TextUnits, TokenDataset } from '../data';
import { lastAtMost, RangedNumbers, valueAt, type NumberList } from '../data/number-list';
import { NumberWriter } from '../data/number-writer';

export interface PairIndex {
  /** Documents of the split with at least one sentence inside it, and their sentence ranges. */
  docFirst: NumberList;
  docEnd: NumberList;
  /** cumPairs[j]: pair starts (sentences k with k + 1 in the same document) in documents before j; one more entry: the total. */
  cumPairs: NumberList;
}

/** Splits of more documents than this keep their pair index in files (tests lower it). */
export const PAIR_INDEX_MEMORY_DOCUMENTS = { limit: 1 << 16 };

const indexes = new WeakMap<DataSplit, { units: TextUnits; index: PairIndex }>();

interface Columns { push(first: number, end: number, cum: number): void; finish(): PairIndex }

function memoryColumns(): Columns {
  const first: number[] = [], end: number[] = [], cum: number[] = [0];
  return {
    push(f, e, c) { first.push(f); end.push(e); cum.push(c); },
    finish: () => ({ docFirst: Float64Array.from(first), docEnd: Float64Array.from(end), cumPairs: Float64Array.from(cum) }),
  };
}

let scratch: string | null = null;
let files = 0;
/** This process's folder for pair index files, removed at exit. */
function scratchDir(): string {
  if (!scratch) {
    const dir = mkdtempSync(join(tmpdir(), 'pretrain-studio-nsp-'));
    scratch = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return scratch;
}

/**
 * Removes this process's pair index files now (a test's worker ends without the exit event); lists
 * opened from them must not be read afterwards.
 */
export function discardPairIndexFiles(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = null;
}

function fileColumns(): Columns {
  const base = join(scratchDir(), `pairs-${files++}`);
  const writers = { first: new NumberWriter(`${base}.first.bin`, 'float64'), end: new NumberWriter(`${base}.end.bin`, 'float64'), cum: new NumberWriter(`${base}.cum.bin`, 'float64') };
  writers.cum.push(0);
  return {
    push(f, e, c) { writers.first.push(f); writers.end.push(e); writers.cum.push(c); },
    finish() {
      for (const w of Object.values(writers)) w.close();
      const open = (w: NumberWriter) => new RangedNumbers(w.path, 'float64', w.count);
      return { docFirst: open(writers.first), docEnd: open(writers.end), cumPairs: open(writers.cum) };
    },
  };
}

/** The pair index of `split` (cached per split), refusing splits that give no IsNext or no NotNext pairs. */
export function pairIndex(ds: TokenDataset, units: TextUnits, split: DataSplit): PairIndex {
  const hit = indexes.get(split);
  if (hit && hit.units === units) return hit.index;
  // A sentence belongs to the split when it lies inside one of its ranges (a 'tail' split can
  // cut a document: its sentences on either side of the cut belong to one side only).
  const inside = (s: number, e: number) => {
    const r = lastAtMost(split.starts, s);
    return r >= 0 && e <= valueAt(split.ends, r);
  };
  const cols = ds.files && split.documents.length > PAIR_INDEX_MEMORY_DOCUMENTS.limit ? fileColumns() : memoryColumns();
  let docs = 0, multi = 0, cum = 0;
  for (const d of split.documents) {
    let first = -1, end = -1;
    for (let k = valueAt(units.docSentences, d); k < valueAt(units.docSentences, d + 1); k++) {
      if (!inside(valueAt(units.sentStart, k), valueAt(units.sentEnd, k))) { if (first >= 0) break; continue; }
      if (first < 0) first = k;
      end = k + 1;
    }
    if (first < 0) continue;
    cum += end - first - 1;
    cols.push(first, end, cum);
    docs++;
    if (end - first >= 2) multi++;
  }
  const index = cols.finish();
  if (multi < 1) {
    throw new Error(
      `MLM+NSP: none of the ${docs} document(s) of the ${split.name} split has two or more sentences, so there are no IsNext pairs. ` +
      "Import text whose documents are paragraphs or files of several sentences (--documents paragraph|file), or train 'mlm' without NSP.",
    );
  }
  if (docs < 2) {
    throw new Error(
      `MLM+NSP: the ${split.name} split has a single document, so there is no other document to draw NotNext sentences from. ` +
      'Separate the text into documents (blank lines between paragraphs, or several files with --documents file), ' +
      "or train 'mlm' without NSP.",
    );
  }
  indexes.set(split, { units, index });
  return index;
}

/** The pair start of rank i (0 <= i < total) and the position of its document in docFirst. */
export function pairStart(ix: PairIndex, i: number): { k0: number; doc: number } {
  const doc = lastAtMost(ix.cumPairs, i, ix.docFirst.length);
  return { k0: valueAt(ix.docFirst, doc) + i - valueAt(ix.cumPairs, doc), doc };
}

/** Pair starts in the split. */
export const pairCount = (ix: PairIndex): number => valueAt(ix.cumPairs, ix.cumPairs.length - 1);
