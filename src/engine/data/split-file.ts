// A split of a token directory, computed once and kept beside its shards as
// split-<key16>.bin, key = sha256 of the split spec (kind, valFraction, seed), so a resumed run
// or a second process reads the split instead of building per-document arrays again:
//
//   bytes 0..8    "PSSPLIT1"
//   bytes 8..12   uint32 LE byte length H of the header
//   bytes 16..    header JSON (SplitHeader), padded with spaces to a multiple of 8
//   then per side (train, val): starts, ends, cum (float64 LE), documents (int32 LE), each at
//   the offset the header gives
//
// Two streaming passes over docs.bin: the first counts each side's ranges and documents (so every
// list's offset is known), the second writes them through fixed buffers into a temporary file
// that is then renamed into place: a reader sees the whole file or none. Read back by block
// (number-list.ts); a file that does not match its header or the shards is refused, naming it.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fsyncDirectory, tempPathFor } from '../runstore/atomic';
import { RangedNumbers, valueAt, type NumberFileType, type RangedNumbersOptions } from './number-list';
import { NumberWriter } from './number-writer';
import { SplitSink, walkSplit, type SplitSpec } from './split-walk';
import type { DataSplit } from './split';
import type { TokenDataset } from './shards';
import { readOrWriteBeside } from './derived-file';

const MAGIC = 'PSSPLIT1';
export const SPLIT_FILE_VERSION = 1;
const SIDES = ['train', 'val'] as const;
const COLUMNS: readonly [keyof SideHeader['offsets'], NumberFileType][] = [['starts', 'float64'], ['ends', 'float64'], ['cum', 'float64'], ['documents', 'int32']];

interface SideHeader {
  tokens: number;
  ranges: number;
  documents: number;
  /** Byte offsets of the side's lists in the file. */
  offsets: { starts: number; ends: number; cum: number; documents: number };
}

interface SplitHeader {
  version: number;
  spec: SplitSpec;
  shardKey: string;
  numDocuments: number;
  numTokens: number;
  train: SideHeader;
  val: SideHeader;
  /** Total file size in bytes. */
  bytes: number;
}

/** What identifies a split: its kind, fraction and (for documents) seed. */
export function splitKey(spec: SplitSpec): string {
  const id = spec.kind === 'documents' ? { kind: spec.kind, valFraction: spec.valFraction, seed: spec.seed } : { kind: spec.kind, valFraction: spec.valFraction };
  return createHash('sha256').update(JSON.stringify({ v: SPLIT_FILE_VERSION, ...id })).digest('hex').slice(0, 16);
}

export function splitFilePath(dir: string, spec: SplitSpec): string {
  return join(dir, `split-${splitKey(spec)}.bin`);
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/**
 * The split of a dataset opened from `files.dir`: read from its split file, written first if there
 * is none. Null when the folder cannot be written (read-only media): the caller splits in memory.
 */
export function fileSplit(ds: TokenDataset, files: { dir: string; numbers: RangedNumbersOptions }, spec: SplitSpec): { train: DataSplit; val: DataSplit } | null {
  const path = splitFilePath(files.dir, spec);
  return readOrWriteBeside(path, () => writeSplitFile(ds, spec, path), () => readSplitFile(ds, spec, path, files.numbers));
}

function writeSplitFile(ds: TokenDataset, spec: SplitSpec, path: string): void {
  const { numDocuments, numTokens } = ds.meta;
  const count = { train: new SplitSink(null), val: new SplitSink(null) };
  walkSplit(ds.docStarts, numDocuments, numTokens, spec, count.train, count.val);
  const sides = {} as Record<'train' | 'val', SideHeader>;
  // The lists start after the header, whose length depends on the offsets it lists: room for the
  // header is reserved (512 bytes, doubled until it fits) and the lists laid out after it.
  const draft = (base: number) => {
    let at = base;
    for (const name of SIDES) {
      const offsets = {} as SideHeader['offsets'];
      for (const [col, type] of COLUMNS) {
        offsets[col] = at;
        const n = col === 'documents' ? count[name].documents : col === 'cum' ? count[name].ranges + 1 : count[name].ranges;
        at = align8(at + n * (type === 'int32' ? 4 : 8));
      }
      sides[name] = { tokens: count[name].tokens, ranges: count[name].ranges, documents: count[name].documents, offsets };
    }
    return { version: SPLIT_FILE_VERSION, spec, shardKey: ds.meta.key, numDocuments, numTokens, ...sides, bytes: at } satisfies SplitHeader;
  };
  let base = 16 + 512;
  let header = draft(base);
  while (16 + Buffer.byteLength(JSON.stringify(header)) > base) header = draft(base *= 2);
  const json = Buffer.from(JSON.stringify(header).padEnd(base - 16, ' '));
  const prefix = Buffer.alloc(16);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(json.length, 8);

  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'w');
  try {
    for (const part of [prefix, json]) for (let off = 0; off < part.length;) off += writeSync(fd, part, off, part.length - off, (part === prefix ? 0 : 16) + off);
    const writers: NumberWriter[] = [];
    const columns = (name: 'train' | 'val') => {
      const w = {} as Record<keyof SideHeader['offsets'], NumberWriter>;
      for (const [col, type] of COLUMNS) writers.push(w[col] = new NumberWriter(tmp, type, { fd, position: header[name].offsets[col] }));
      return w;
    };
    const sinks = { train: new SplitSink(columns('train')), val: new SplitSink(columns('val')) };
    walkSplit(ds.docStarts, numDocuments, numTokens, spec, sinks.train, sinks.val);
    for (const w of writers) w.close();
    for (const name of SIDES) {
      if (sinks[name].ranges !== count[name].ranges || sinks[name].documents !== count[name].documents) throw new Error(`split: two passes over ${ds.files?.dir} disagree; was docs.bin changed meanwhile?`);
    }
    // Pads the last list to header.bytes, so the size check on reading covers the whole file.
    if (fstatSync(fd).size > header.bytes) throw new Error(`split: ${tmp} grew past its layout (${header.bytes} bytes)`);
    ftruncateSync(fd, header.bytes);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDirectory(dirname(path));
}

function readSplitFile(ds: TokenDataset, spec: SplitSpec, path: string, numbers: RangedNumbersOptions): { train: DataSplit; val: DataSplit } {
  const bad = (why: string) => new Error(`split file ${path}: ${why}; delete it and the split is computed again`);
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  let header: SplitHeader;
  try {
    const prefix = Buffer.alloc(16);
    if (readSync(fd, prefix, 0, 16, 0) < 16 || prefix.toString('latin1', 0, 8) !== MAGIC) throw bad(`not a split file (no ${MAGIC} header)`);
    const len = prefix.readUInt32LE(8);
    if (16 + len > size) throw bad(`the header runs past the end of the file (${size} bytes); the file is truncated`);
    const json = Buffer.alloc(len);
    readSync(fd, json, 0, len, 16);
    try { header = JSON.parse(json.toString('utf8')) as SplitHeader; } catch { throw bad('the header is not valid JSON; the file is damaged'); }
  } finally { closeSync(fd); }
  if (header.version !== SPLIT_FILE_VERSION) throw bad(`format version ${header.version}, expected ${SPLIT_FILE_VERSION}`);
  if (splitKey(header.spec) !== splitKey(spec)) throw bad(`it holds the split ${JSON.stringify(header.spec)}, not ${JSON.stringify(spec)}`);
  if (header.shardKey !== ds.meta.key || header.numDocuments !== ds.meta.numDocuments || header.numTokens !== ds.meta.numTokens) throw bad(`it was computed for other shards (${header.shardKey.slice(0, 16)}, ${header.numDocuments} documents)`);
  if (size !== header.bytes) throw bad(`${size} bytes, expected ${header.bytes}; the file is truncated or damaged`);
  if (header.train.tokens + header.val.tokens !== ds.meta.numTokens) throw bad(`its sides hold ${header.train.tokens} + ${header.val.tokens} tokens of ${ds.meta.numTokens}`);
  const side = (name: 'train' | 'val'): DataSplit => {
    const h = header[name];
    const list = (col: keyof SideHeader['offsets'], type: NumberFileType, n: number) => new RangedNumbers(path, type, n, { ...numbers, offset: h.offsets[col] });
    const split: DataSplit = {
      name, tokens: h.tokens,
      starts: list('starts', 'float64', h.ranges), ends: list('ends', 'float64', h.ranges), cum: list('cum', 'float64', h.ranges + 1), documents: list('documents', 'int32', h.documents),
    };
    if (valueAt(split.cum, 0) !== 0 || valueAt(split.cum, h.ranges) !== h.tokens) throw bad(`the ${name} side's token counts do not add up to ${h.tokens}; the file is damaged`);
    return split;
  };
  return { train: side('train'), val: side('val') };
}
