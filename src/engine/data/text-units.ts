// Sentences and words in token space: what BERT's collator needs to pair sentences (NSP) and to
// mask whole words, computed once per token dataset from the tokens themselves (decoded per
// document, so any tokenizer kind works and the shards need no new files).
//
//   sentences: sentStart[k], sentEnd[k] are stream offsets (half-open) of sentence k; the
//              sentences of document d are k in [docSentences[d], docSentences[d + 1]).
//   words:     wordStart[p] = 1 where stream token p begins a word. Words are the segments of
//              Intl.Segmenter('zh', { granularity: 'word' }) over the decoded document: for
//              English that is the text between spaces and punctuation (so WordPiece "##" pieces
//              and BPE continuations join their word), for Chinese ICU's dictionary words, and
//              a single character where the dictionary knows no word (names, transliterations).
import { unmapBytes } from '../tokenizers/byte-level';
import type { Tokenizer } from '../tokenizers/tokenizer';
import { sentenceEnds } from './sentences';
import type { TokenDataset } from './shards';
import { valueAt } from './number-list';

export interface TextUnits {
  sentStart: Float64Array;
  sentEnd: Float64Array;
  /** numDocuments + 1 offsets into the sentence arrays. */
  docSentences: Int32Array;
  /** One flag per stream token (separators 1). */
  wordStart: Uint8Array;
}

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
  for (let i = 0; i < n; i++) {
    let piece = tok.idToToken(ids[i]) ?? '';
    if (tok.kind === 'wordpiece') {
      // WordPiece drops the spaces: put them back between words, but not before punctuation
      // ("Mr ." would hide the abbreviation) nor between CJK characters (which would hide the words).
      if (piece.startsWith('##')) piece = piece.slice(2);
      else if (i > 0 && !NO_SPACE_BEFORE.test(piece) && !(CJK_CHAR.test(piece) && CJK_CHAR.test(text.slice(-1)))) text += ' ';
    }
    starts[i] = text.length;
    text += piece;
  }
  starts[n] = text.length;
  return { text, starts };
}

const NO_SPACE_BEFORE = /^\p{P}$/u;
const CJK_CHAR = /^[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/u;

function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

const cache = new WeakMap<TokenDataset, TextUnits>();

/** Sentences and word starts of every document of `ds` (cached per dataset). */
export function textUnits(ds: TokenDataset, tok: Tokenizer): TextUnits {
  const hit = cache.get(ds);
  if (hit) return hit;
  const nDocs = ds.meta.numDocuments;
  const sep = ds.meta.separator.length;
  const wordStart = new Uint8Array(ds.tokens.length).fill(1);
  const starts: number[] = [], ends: number[] = [];
  const docSentences = new Int32Array(nDocs + 1);
  const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
  for (let d = 0; d < nDocs; d++) {
    docSentences[d] = starts.length;
    const from = valueAt(ds.docStarts, d), to = valueAt(ds.docStarts, d + 1) - sep;
    if (to <= from) continue;
    const { text, starts: at } = tokenText(tok, ds.tokens.subarray(from, to));
    const n = to - from;
    // Sentence k ends before the first token that starts at or after its character end.
    let t = 0, s = from;
    for (const e of sentenceEnds(text)) {
      while (t < n && at[t] < e) t++;
      if (t > s - from && t < n) { starts.push(s); ends.push(from + t); s = from + t; }
    }
    starts.push(s); ends.push(to);
    // A token begins a word when a segment boundary falls at its start; a token spanning a
    // boundary (BPE's "。\n") belongs to the word it starts in and is masked with it.
    const boundary = new Uint8Array(text.length + 1);
    for (const seg of segmenter.segment(text)) boundary[seg.index] = 1;
    for (let i = 1; i < n; i++) wordStart[from + i] = at[i] !== at[i - 1] && boundary[at[i]] ? 1 : 0;
  }
  docSentences[nDocs] = starts.length;
  const units: TextUnits = { sentStart: Float64Array.from(starts), sentEnd: Float64Array.from(ends), docSentences, wordStart };
  cache.set(ds, units);
  return units;
}
