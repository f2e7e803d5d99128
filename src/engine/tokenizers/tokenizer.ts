// Our encoder/decoder for the tokenizer.json files we write (char, byte-level BPE, WordPiece).
// It follows Hugging Face tokenizers step by step so ids are identical (tests check both the
// native `tokenizers` package and `@huggingface/tokenizers`):
//   1. split the raw text on special tokens (leftmost-longest match; specials are not normalized)
//   2. per remaining piece: normalize (WordPiece only) → pre-tokenize → model
//   3. BPE: repeatedly merge the adjacent pair of lowest rank (leftmost on ties);
//      WordPiece: greedy longest match with "##" continuations, whole word → [UNK] on failure.
import { createHash } from 'node:crypto';
import { GPT2_PATTERN, mapBytes, unmapBytes } from './byte-level';
import { bertNormalize, bertPreTokenize } from './bert-basic';
import { kindOf, type TokenizerJson, type TokenizerKind } from './tokenizer-json';

export interface EncodingWithSpecials {
  ids: number[];
  /** Segment ids (0 for A, 1 for B), as BERT's token_type_ids. */
  typeIds: number[];
}

const CACHE_LIMIT = 50_000;

export class Tokenizer {
  readonly kind: TokenizerKind;
  readonly vocabSize: number;
  /** sha256 of the canonical JSON: the cache key for token shards. */
  readonly hash: string;
  readonly specialTokens: readonly string[];
  private readonly idOf = new Map<string, number>();
  private readonly tokenOf: string[] = [];
  private readonly specialIdSet = new Set<number>();
  private readonly specialPattern: RegExp | null;
  private readonly ranks = new Map<string, Map<string, number>>();
  private readonly unkId: number | null;
  private readonly lowercase: boolean;
  private readonly cache = new Map<string, number[]>();

  constructor(readonly json: TokenizerJson) {
    this.kind = kindOf(json);
    for (const [tok, id] of Object.entries(json.model.vocab)) { this.idOf.set(tok, id); this.tokenOf[id] = tok; }
    for (const t of json.added_tokens) { this.idOf.set(t.content, t.id); this.tokenOf[t.id] = t.content; this.specialIdSet.add(t.id); }
    this.vocabSize = this.tokenOf.length;
    for (let i = 0; i < this.vocabSize; i++) {
      if (this.tokenOf[i] === undefined) throw new Error(`tokenizer: vocab has a hole at id ${i}`);
    }
    this.specialTokens = json.added_tokens.map((t) => t.content);
    // Longest first, so alternation order gives leftmost-longest like HF's trie/aho-corasick.
    const alts = [...this.specialTokens].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.specialPattern = alts.length ? new RegExp(alts.join('|'), 'g') : null;
    if (json.model.type === 'BPE') {
      json.model.merges.forEach(([a, b], rank) => {
        let m = this.ranks.get(a);
        if (!m) { m = new Map(); this.ranks.set(a, m); }
        if (!m.has(b)) m.set(b, rank);
      });
    }
    const unk = json.model.unk_token;
    this.unkId = unk !== null && this.idOf.has(unk) ? this.idOf.get(unk)! : null;
    this.lowercase = json.normalizer?.lowercase ?? false;
    this.hash = createHash('sha256').update(JSON.stringify(json)).digest('hex');
  }

  static fromString(text: string): Tokenizer {
    return new Tokenizer(JSON.parse(text) as TokenizerJson);
  }

  tokenToId(token: string): number | undefined { return this.idOf.get(token); }
  idToToken(id: number): string | undefined { return this.tokenOf[id]; }
  isSpecial(id: number): boolean { return this.specialIdSet.has(id); }

  /** Raw ids, no [CLS]/[SEP] template (what the shard builder and GPT use). */
  encode(text: string): number[] {
    const ids: number[] = [];
    this.encodeInto(text, ids);
    return ids;
  }

  /** Ids with the post-processor template (WordPiece: [CLS] A [SEP] (B [SEP])); HF's default encode. */
  encodeWithSpecials(text: string, pair?: string): EncodingWithSpecials {
    const a = this.encode(text);
    const b = pair === undefined ? undefined : this.encode(pair);
    if (this.kind !== 'wordpiece' || this.json.post_processor === null) {
      const ids = b ? [...a, ...b] : a;
      return { ids, typeIds: ids.map((_, i) => (i < a.length ? 0 : 1)) };
    }
    const cls = this.idOf.get('[CLS]')!, sep = this.idOf.get('[SEP]')!;
    const ids = [cls, ...a, sep];
    const typeIds = ids.map(() => 0);
    if (b) for (const id of [...b, sep]) { ids.push(id); typeIds.push(1); }
    return { ids, typeIds };
  }

  encodeInto(text: string, out: number[]): void {
    if (this.specialPattern === null) { this.encodePiece(text, out); return; }
    let last = 0;
    this.specialPattern.lastIndex = 0;
    for (let m = this.specialPattern.exec(text); m !== null; m = this.specialPattern.exec(text)) {
      if (m.index > last) this.encodePiece(text.slice(last, m.index), out);
      out.push(this.idOf.get(m[0])!);
      last = m.index + m[0].length;
    }
    if (last < text.length) this.encodePiece(text.slice(last), out);
  }

  private encodePiece(piece: string, out: number[]): void {
    switch (this.kind) {
      case 'char':
        for (const ch of piece) {
          const id = this.idOf.get(ch);
          if (id !== undefined) out.push(id); else if (this.unkId !== null) out.push(this.unkId);
        }
        return;
      case 'bpe':
        // Cache by the raw pre-token, so a repeated word costs one regex match and one lookup.
        for (const m of piece.matchAll(GPT2_PATTERN)) {
          const word = m[0];
          let ids = this.cache.get(word);
          if (!ids) { ids = this.bpeWord(mapBytes(word)); this.remember(word, ids); }
          for (const id of ids) out.push(id);
        }
        return;
      case 'wordpiece':
        for (const word of bertPreTokenize(bertNormalize(piece, { lowercase: this.lowercase }))) {
          for (const id of this.wordPiece(word)) out.push(id);
        }
    }
  }

  private bpeWord(word: string): number[] {
    const parts = Array.from(word);
    for (;;) {
      let best = -1, bestRank = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const r = this.ranks.get(parts[i])?.get(parts[i + 1]);
        if (r !== undefined && r < bestRank) { bestRank = r; best = i; }
      }
      if (best < 0) break;
      parts.splice(best, 2, parts[best] + parts[best + 1]);
    }
    const ids: number[] = [];
    for (const p of parts) {
      const id = this.idOf.get(p);
      if (id !== undefined) ids.push(id); else if (this.unkId !== null) ids.push(this.unkId);
    }
    return ids;
  }

  private wordPiece(word: string): number[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    const chars = Array.from(word);
    const unk = [this.unkId!];
    if (chars.length > 100) return unk;
    const ids: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length, found: number | undefined;
      for (; end > start; end--) {
        const sub = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
        found = this.idOf.get(sub);
        if (found !== undefined) break;
      }
      if (found === undefined) { this.remember(word, unk); return unk; }
      ids.push(found);
      start = end;
    }
    this.remember(word, ids);
    return ids;
  }

  private remember(word: string, ids: number[]): void {
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, ids);
  }

  /** Ids → text, as HF's decoders do (ByteLevel bytes → UTF-8; WordPiece joins "##"; char concatenates). */
  decode(ids: readonly number[], opts: { skipSpecialTokens?: boolean } = {}): string {
    const tokens: string[] = [];
    for (const id of ids) {
      if (opts.skipSpecialTokens && this.specialIdSet.has(id)) continue;
      const t = this.tokenOf[id];
      if (t === undefined) throw new Error(`tokenizer.decode: id ${id} is outside the vocabulary (size ${this.vocabSize})`);
      tokens.push(t);
    }
    if (this.kind === 'char') return tokens.join('');
    if (this.kind === 'bpe') {
      const bytes: number[] = [];
      unmapBytes(tokens, bytes);
      return new TextDecoder().decode(new Uint8Array(bytes));
    }
    // Per token, exactly as the Rust WordPiece decoder does (so "wasn ' t" stays as it is).
    return tokens.map((t, i) => cleanupSpaces(i === 0 ? t : t.startsWith('##') ? t.slice(2) : ` ${t}`)).join('');
  }
}

// HF's `cleanup` of the WordPiece decoder (tokenizers/src/decoders/wordpiece.rs). The JS
// package applies transformers' whole-string clean_up_tokenization on top unless it is given
// the config { clean_up_tokenization_spaces: false }: the renderer must pass that.
function cleanupSpaces(s: string): string {
  return s.replaceAll(' .', '.').replaceAll(' ?', '?').replaceAll(' !', '!').replaceAll(' ,', ',')
    .replaceAll(" ' ", "'").replaceAll(" n't", "n't").replaceAll(" 'm", "'m").replaceAll(' do not', " don't").replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve").replaceAll(" 're", "'re");
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
