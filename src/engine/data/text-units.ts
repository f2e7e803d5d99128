// Sentences and words in token space: what BERT's collator needs to pair sentences (NSP) and to
// mask whole words, and BART's sentence permutation, computed once per token dataset from the
// tokens themselves (decoded per document, so any tokenizer kind works).
//
//   sentences: sentStart[k], sentEnd[k] are stream offsets (half-open) of sentence k, in stream
//              order (sentStart increases); the sentences of document d are k in
//              [docSentences[d], docSentences[d + 1]).
//   words:     wordStart[p] = 1 where stream token p begins a word. Words are the segments of
//              Intl.Segmenter('zh', { granularity: 'word' }) over the decoded document: for
//              English that is the text between spaces and punctuation (so WordPiece "##" pieces
//              and BPE continuations join their word), for Chinese ICU's dictionary words, and
//              a single character where the dictionary knows no word (names, transliterations).
//
// A dataset opened from a token directory keeps them there as files, computed by one streaming
// pass and read by block afterwards (units-file.ts): memory does not grow with the corpus. One
// built in memory (tests, small tools), or whose folder cannot be written, gets typed arrays;
// both satisfy the same interfaces (NumberList, ByteStore).
import { unmapBytes } from '../tokenizers/byte-level';
import type { Tokenizer } from '../tokenizers/tokenizer';
import { sentenceEnds } from './sentences';
import type { TokenDataset } from './shards';
import { valueAt, type NumberList } from './number-list';
import type { ByteStore } from './token-store';
import { fileUnits } from './units-file';

export interface TextUnits {
  sentStart: NumberList;
  sentEnd: NumberList;
  /** numDocuments + 1 offsets into the sentence lists. */
  docSentences: NumberList;
  /** One flag per stream token (separators 1). */
  wordStart: ByteStore;
}

/** Bump when the rules below change (sentence ends, word boundaries, tokenText): stored units are computed again. */
export const UNITS_RULES_VERSION = 1;

/** The text of a token sequence and where each token starts in it (n + 1 char offsets). */
export function tokenText(tok: Tokenizer, ids: ArrayLike<number>): { text: string; starts: Int32Array } {
  const n = ids.length;
  const starts = new Int32Array(n + 1);
  if (tok.kind === 'bpe') {
    // Byte-level: a token may hold part of a UTF-8 character; its offset is that character's.
    const bytes: number[] = [];
    const byteStart = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) {
      byteStart[i] = bytes.length;
      unmapBytes([tok.idToToken(ids[i]) ?? ''], bytes);
    }
    byteStart[n] = bytes.length;
    const text = new TextDecoder().decode(new Uint8Array(bytes));
    let b = 0, c = 0, t = 0;
    for (const ch of text) {
      const len = utf8Length(ch.codePointAt(0)!);
      while (t <= n && byteStart[t] < b + len) { starts[t] = c; t++; }
      b += len; c += ch.length;
    }
    while (t <= n) starts[t++] = text.length;
    return { text, starts };
  }
  let text = '';
  // The last character so far, kept aside: text.slice(-1) would flatten the growing string at
  // every token (quadratic: a novel as one document never finished).
  let last = '';
  for (let i = 0; i < n; i++) {
    let piece = tok.idToToken(ids[i]) ?? '';
    if (tok.kind === 'wordpiece') {
      // WordPiece drops the spaces: put them back between words, but not before punctuation
      // ("Mr ." would hide the abbreviation) nor between CJK characters (which would hide the words).
      if (piece.startsWith('##')) piece = piece.slice(2);
      else if (i > 0 && !NO_SPACE_BEFORE.test(piece) && !(CJK_CHAR.test(piece) && CJK_CHAR.test(last))) { text += ' '; last = ' '; }
    }
    starts[i] = text.length;
    text += piece;
    if (piece !== '') last = piece.slice(-1);
  }
  starts[n] = text.length;
  return { text, starts };
}

const NO_SPACE_BEFORE = /^\p{P}$/u;
const CJK_CHAR = /^[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/u;

function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** Where one pass over the documents puts the units, in stream order. */
export interface UnitsSink {
  /** Document d's sentences begin at sentence index `first` (also called once after the last document, with the total). */
  document(first: number): void;
  sentence(start: number, end: number): void;
  /** The word-start flags of the next `flags.length` stream tokens. */
  flags(flags: Uint8Array): void;
}

/**
 * Computes the units of every document of `ds` in order, one document at a time: memory is that
 * of the longest document (its text and per-character boundaries), not the corpus's.
 */
export function walkUnits(ds: TokenDataset, tok: Tokenizer, sink: UnitsSink): void {
  const nDocs = ds.meta.numDocuments;
  const sep = ds.meta.separator.length;
  const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
  let sentences = 0;
  for (let d = 0; d < nDocs; d++) {
    sink.document(sentences);
    const from = valueAt(ds.docStarts, d), next = valueAt(ds.docStarts, d + 1), to = next - sep;
    const flags = new Uint8Array(next - from).fill(1);
    if (to > from) {
      const { text, starts: at } = tokenText(tok, ds.tokens.subarray(from, to));
      const n = to - from;
      // Sentence k ends before the first token that starts at or after its character end.
      const ends = sentenceEnds(text);
      let t = 0, s = from;
      for (const e of ends) {
        while (t < n && at[t] < e) t++;
        if (t > s - from && t < n) { sink.sentence(s, from + t); sentences++; s = from + t; }
      }
      sink.sentence(s, to); sentences++;
      // A token begins a word when a segment boundary falls at its start; a token spanning a
      // boundary (BPE's "。\n") belongs to the word it starts in and is masked with it.
      const boundary = new Uint8Array(text.length + 1);
      // ICU's word segmentation grows faster than the text (160,000 Chinese characters: 43 s;
      // a novel as one document: hours), so a long document is segmented in pieces of at least
      // SEGMENT_PIECE characters cut at sentence ends (a sentence end is a word boundary anyway);
      // a shorter one is segmented whole, as before.
      let piece = 0;
      const segment = (a: number, b: number) => { for (const seg of segmenter.segment(text.slice(a, b))) boundary[a + seg.index] = 1; };
      for (const e of ends) if (e - piece >= SEGMENT_PIECE) { segment(piece, e); piece = e; }
      segment(piece, text.length);
      for (let i = 1; i < n; i++) flags[i] = at[i] !== at[i - 1] && boundary[at[i]] ? 1 : 0;
    }
    sink.flags(flags);
  }
  sink.document(sentences);
}

const SEGMENT_PIECE = 4096;

/** The units held in typed arrays (datasets built in memory; folders that cannot be written). */
export function memoryUnits(ds: TokenDataset, tok: Tokenizer): TextUnits {
  const wordStart = new Uint8Array(ds.meta.numTokens);
  const starts: number[] = [], ends: number[] = [], docs: number[] = [];
  let at = 0;
  walkUnits(ds, tok, {
    document: (first) => { docs.push(first); },
    sentence: (s, e) => { starts.push(s); ends.push(e); },
    flags: (f) => { wordStart.set(f, at); at += f.length; },
  });
  return { sentStart: Float64Array.from(starts), sentEnd: Float64Array.from(ends), docSentences: Float64Array.from(docs), wordStart };
}

const cache = new WeakMap<TokenDataset, TextUnits>();

/**
 * Sentences and word starts of every document of `ds` (cached per dataset): from the units files
 * beside its shards (computed there first if absent), else in memory.
 */
export function textUnits(ds: TokenDataset, tok: Tokenizer): TextUnits {
  const hit = cache.get(ds);
  if (hit) return hit;
  const units = (ds.files && fileUnits(ds, tok, ds.files)) || memoryUnits(ds, tok);
  cache.set(ds, units);
  return units;
}

/**
 * The sentences that start in the stream range [from, to): k in [first, end). sentStart
 * increases, so a binary search finds them without a per-token table.
 */
export function sentencesStartingIn(units: TextUnits, from: number, to: number): { first: number; end: number } {
  const lowerBound = (p: number) => {
    let lo = 0, hi = units.sentStart.length;
    while (lo < hi) { const m = Math.floor((lo + hi) / 2); if (valueAt(units.sentStart, m) < p) lo = m + 1; else hi = m; }
    return lo;
  };
  return { first: lowerBound(from), end: lowerBound(to) };
}
