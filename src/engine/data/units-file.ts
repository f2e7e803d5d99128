// A token directory's text units (text-units.ts), computed once by a streaming pass over its
// documents and kept beside the shards as flat files (not a subfolder: a run keeps its shards by
// hard-linking every file of the folder), key = sha256 of the rules version, the ICU version that
// segments words, the shard key and the tokenizer:
//
//   units-<key16>.sent-start.bin     uint64 LE, one per sentence
//   units-<key16>.sent-end.bin       uint64 LE, one per sentence
//   units-<key16>.doc-sentences.bin  uint64 LE, numDocuments + 1
//   units-<key16>.word-start.bin     uint8, one per stream token
//   units-<key16>.json               UnitsHeader, written last: the files are complete once it exists
//
// Every file is written to a temporary name through a fixed buffer and renamed into place. Read
// back by block: the numbers by RangedNumbers (2 MiB cache each by default), the flags by a
// RangedTokenStore of dtype 'uint8' (4 MiB by default). A file whose size or header does not match
// is refused, naming it: delete the units-<key16>.* files and they are computed again.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fsyncDirectory, tempPathFor, writeJsonAtomic } from '../runstore/atomic';
import type { Tokenizer } from '../tokenizers/tokenizer';
import { RangedNumbers, valueAt, type RangedNumbersOptions } from './number-list';
import { NumberWriter } from './number-writer';
import type { TokenDataset } from './shards';
import { UNITS_RULES_VERSION, walkUnits, type TextUnits } from './text-units';
import { RangedTokenStore } from './token-store';
import { readOrWriteBeside } from './derived-file';

export const UNITS_FILE_VERSION = 1;

const LISTS = { sentStart: 'sent-start.bin', sentEnd: 'sent-end.bin', docSentences: 'doc-sentences.bin' } as const;
const FLAGS = 'word-start.bin';

interface UnitsHeader {
  version: number;
  rules: number;
  icu: string;
  shardKey: string;
  tokenizerHash: string;
  numTokens: number;
  numDocuments: number;
  sentences: number;
}

/** ICU decides the word boundaries: another ICU (a Node or Electron upgrade) may segment differently. */
const icuVersion = () => process.versions.icu ?? 'none';

export function unitsKey(ds: TokenDataset, tok: Tokenizer): string {
  const id = { v: UNITS_FILE_VERSION, rules: UNITS_RULES_VERSION, icu: icuVersion(), shard: ds.meta.key, tokenizer: tok.hash };
  return createHash('sha256').update(JSON.stringify(id)).digest('hex').slice(0, 16);
}

/** The header's path; the other files are `${base}.<name>.bin`. */
export function unitsPath(dir: string, ds: TokenDataset, tok: Tokenizer): string {
  return join(dir, `units-${unitsKey(ds, tok)}.json`);
}

/**
 * The units of a dataset opened from `files.dir`, read by block from its units files, written
 * first if there are none. Null when the folder cannot be written: the caller computes them in memory.
 */
export function fileUnits(ds: TokenDataset, tok: Tokenizer, files: { dir: string; numbers: RangedNumbersOptions }): TextUnits | null {
  const header = unitsPath(files.dir, ds, tok);
  return readOrWriteBeside(header, () => writeUnitsFiles(ds, tok, header), () => readUnitsFiles(ds, tok, header, files.numbers));
}

const fileOf = (header: string, name: string) => header.replace(/\.json$/, `.${name}`);

function writeUnitsFiles(ds: TokenDataset, tok: Tokenizer, header: string): void {
  const targets = [...Object.values(LISTS), FLAGS].map((name) => ({ path: fileOf(header, name), tmp: tempPathFor(fileOf(header, name)) }));
  const fds: number[] = [];
  try {
    for (const t of targets) fds.push(openSync(t.tmp, 'w'));
    const [starts, ends, docs] = fds.slice(0, 3).map((fd, i) => new NumberWriter(targets[i].tmp, 'uint64', { fd, position: 0 }));
    const flags = new ByteWriter(fds[3]);
    let sentences = 0;
    walkUnits(ds, tok, {
      document: (first) => docs.push(first),
      sentence: (s, e) => { starts.push(s); ends.push(e); sentences++; },
      flags: (f) => flags.push(f),
    });
    starts.close(); ends.close(); docs.close(); flags.flush();
    if (flags.written !== ds.meta.numTokens) throw new Error(`units: ${flags.written} word flags for ${ds.meta.numTokens} tokens; was ${ds.files?.dir} changed meanwhile?`);
    for (const fd of fds) fsyncSync(fd);
    for (const fd of fds.splice(0)) closeSync(fd);
    for (const t of targets) renameSync(t.tmp, t.path);
    const h: UnitsHeader = {
      version: UNITS_FILE_VERSION, rules: UNITS_RULES_VERSION, icu: icuVersion(), shardKey: ds.meta.key, tokenizerHash: tok.hash,
      numTokens: ds.meta.numTokens, numDocuments: ds.meta.numDocuments, sentences,
    };
    writeJsonAtomic(header, h);
  } catch (e) {
    for (const fd of fds) closeSync(fd);
    for (const t of targets) rmSync(t.tmp, { force: true });
    throw e;
  }
  fsyncDirectory(dirname(header));
}

/** Appends bytes to a file through a fixed 1 MiB buffer. */
class ByteWriter {
  private readonly buf = new Uint8Array(1 << 20);
  private fill = 0;
  written = 0;
  constructor(private readonly fd: number) {}
  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length;) {
      if (this.fill === this.buf.length) this.flush();
      const n = Math.min(bytes.length - i, this.buf.length - this.fill);
      this.buf.set(bytes.subarray(i, i + n), this.fill);
      this.fill += n; i += n;
    }
  }
  flush(): void {
    for (let off = 0; off < this.fill;) off += writeSync(this.fd, this.buf, off, this.fill - off);
    this.written += this.fill;
    this.fill = 0;
  }
}

function readUnitsFiles(ds: TokenDataset, tok: Tokenizer, header: string, numbers: RangedNumbersOptions): TextUnits {
  const base = header.replace(/\.json$/, '.*');
  const bad = (file: string, why: string) => new Error(`units file ${file}: ${why}; delete ${base} and the sentence and word index is computed again`);
  let h: UnitsHeader;
  try { h = JSON.parse(readFileSync(header, 'utf8')) as UnitsHeader; } catch { throw bad(header, 'the header is not valid JSON; the file is damaged'); }
  if (h.version !== UNITS_FILE_VERSION || h.rules !== UNITS_RULES_VERSION) throw bad(header, `format ${h.version}, rules ${h.rules}; expected ${UNITS_FILE_VERSION}, ${UNITS_RULES_VERSION}`);
  if (h.shardKey !== ds.meta.key || h.tokenizerHash !== tok.hash || h.numTokens !== ds.meta.numTokens || h.numDocuments !== ds.meta.numDocuments) {
    throw bad(header, `it was computed for other shards or another tokenizer (${String(h.shardKey).slice(0, 16)}, ${h.numDocuments} documents, ${h.numTokens} tokens)`);
  }
  if (!(Number.isInteger(h.sentences) && h.sentences >= 0)) throw bad(header, `sentences = ${h.sentences}; the file is damaged`);
  const expectSize = (file: string, bytes: number) => {
    let size: number;
    try { size = statSync(file).size; } catch { throw bad(file, 'it is missing'); }
    if (size !== bytes) throw bad(file, `${size} bytes, expected ${bytes}; the file is truncated or damaged`);
  };
  const list = (name: keyof typeof LISTS, n: number) => {
    const file = fileOf(header, LISTS[name]);
    expectSize(file, n * 8);
    return new RangedNumbers(file, 'uint64', n, numbers);
  };
  const sentStart = list('sentStart', h.sentences), sentEnd = list('sentEnd', h.sentences), docSentences = list('docSentences', h.numDocuments + 1);
  if (valueAt(docSentences, 0) !== 0 || valueAt(docSentences, h.numDocuments) !== h.sentences) throw bad(docSentences.path, `it does not run from 0 to ${h.sentences} sentences; the file is damaged`);
  if (h.sentences > 0 && valueAt(sentEnd, h.sentences - 1) > h.numTokens) throw bad(sentEnd.path, `its last sentence ends past the ${h.numTokens} tokens; the file is damaged`);
  const flags = fileOf(header, FLAGS);
  expectSize(flags, h.numTokens);
  const wordStart = new RangedTokenStore(dirname(flags), [{ file: basename(flags), tokens: h.numTokens }], 'uint8');
  return { sentStart, sentEnd, docSentences, wordStart };
}
