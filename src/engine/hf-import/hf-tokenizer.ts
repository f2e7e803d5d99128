// A checkpoint folder's tokenizer as one of the three tokenizer.json shapes the engine reads
// (tokenizers/tokenizer-json.ts), ids unchanged. Sources, first found wins:
//   tokenizer.json            a fast tokenizer: byte-level BPE (GPT-2) or WordPiece (BERT)
//   vocab.txt                 BERT's WordPiece list, one token per line (id = line), lowercase from
//                             tokenizer_config.json's do_lower_case (BertTokenizer's default: true)
//   vocab.json + merges.txt   GPT-2's byte-level BPE (merges.txt opens with '#version: …')
// The rewrite keeps vocabulary, merges and special-token ids; it refuses normalizers, pre-tokenizers
// or options the engine's encoder would not follow exactly.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddedTokenJson, TokenizerJson } from '../tokenizers/tokenizer-json';
import { bpeTokenizerJson, wordPieceTokenizerJson } from '../tokenizers/tokenizer-json';
import { EOS, CLS, MASK, PAD, SEP, UNK } from '../tokenizers/specials';

export interface ImportedTokenizer {
  json: TokenizerJson;
  /** The files it was read from, relative to the folder. */
  source: string;
}

type Json = Record<string, unknown>;

function readJson(path: string): Json {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Json;
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

function added(content: string, id: number): AddedTokenJson {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/** Our shape with the source's ids: the builders number specials 0..k-1, so added_tokens are replaced. */
function withSpecials(json: TokenizerJson, specials: readonly { content: string; id: number }[]): TokenizerJson {
  return { ...json, added_tokens: specials.map((s) => added(s.content, s.id)).sort((a, b) => a.id - b.id) };
}

/** vocab object → list by id; a hole or a duplicate id is an error naming the file. */
function vocabList(vocab: Record<string, number>, path: string): string[] {
  const list: string[] = [];
  for (const [tok, id] of Object.entries(vocab)) {
    if (!Number.isInteger(id) || id < 0) throw new Error(`${path}: token ${JSON.stringify(tok)} has id ${id}`);
    if (list[id] !== undefined) throw new Error(`${path}: tokens ${JSON.stringify(list[id])} and ${JSON.stringify(tok)} share id ${id}`);
    list[id] = tok;
  }
  for (let i = 0; i < list.length; i++) if (list[i] === undefined) throw new Error(`${path}: no token has id ${i} (the vocabulary has a hole)`);
  return list;
}

/** "a b" merge lines (merges.txt, older tokenizer.json) or [a, b] pairs; `where(i)` names the line. */
function mergePairs(merges: unknown[], where: (i: number) => string): [string, string][] {
  return merges.map((m, i) => {
    if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string') return [m[0], m[1]];
    if (typeof m === 'string') {
      const parts = m.split(' ');
      if (parts.length === 2 && parts[0] && parts[1]) return [parts[0], parts[1]];
    }
    throw new Error(`${where(i)}: a merge must be two symbols, got ${JSON.stringify(m)}`);
  });
}

function bpe(vocab: Record<string, number>, merges: [string, string][], specials: { content: string; id: number }[], path: string): TokenizerJson {
  const list = vocabList(vocab, path);
  for (const s of specials) if (list[s.id] === undefined && s.id !== list.length) throw new Error(`${path}: special token ${s.content} has id ${s.id}, past the vocabulary`);
  return withSpecials(bpeTokenizerJson(list, merges, []), specials);
}

function wordPiece(list: string[], lowercase: boolean, path: string): TokenizerJson {
  const specials = [PAD, UNK, CLS, SEP, MASK].flatMap((content) => (list.indexOf(content) >= 0 ? [{ content, id: list.indexOf(content) }] : []));
  if (!specials.some((s) => s.content === UNK)) throw new Error(`${path}: WordPiece needs an ${UNK} token for words it cannot split`);
  return withSpecials(wordPieceTokenizerJson(list, [], lowercase), specials);
}

function fromTokenizerJson(path: string): TokenizerJson {
  const j = readJson(path);
  const model = (j.model ?? {}) as Json;
  const pre = (j.pre_tokenizer ?? null) as Json | null;
  const norm = (j.normalizer ?? null) as Json | null;
  const addedTokens = Array.isArray(j.added_tokens) ? (j.added_tokens as Json[]) : [];
  const specials = addedTokens.map((t) => ({ content: String(t.content), id: Number(t.id) }));
  if (model.type === 'BPE' && pre?.type === 'ByteLevel') {
    if (pre.add_prefix_space === true) throw new Error(`${path}: ByteLevel with add_prefix_space true is not supported (GPT-2's is false)`);
    if (norm !== null) throw new Error(`${path}: a byte-level BPE with a ${String(norm.type)} normalizer is not supported (GPT-2 has none)`);
    const merges = mergePairs(Array.isArray(model.merges) ? model.merges : [], (i) => `${path}: model.merges[${i}]`);
    return bpe(model.vocab as Record<string, number>, merges, specials, path);
  }
  if (model.type === 'WordPiece') {
    if (norm?.type !== 'BertNormalizer' || pre?.type !== 'BertPreTokenizer') {
      throw new Error(`${path}: WordPiece with normalizer ${String(norm?.type ?? 'none')} and pre-tokenizer ${String(pre?.type ?? 'none')} is not supported (BERT's are BertNormalizer, BertPreTokenizer)`);
    }
    if (norm.handle_chinese_chars === false) throw new Error(`${path}: BertNormalizer with handle_chinese_chars false is not supported`);
    const lowercase = norm.lowercase !== false;
    // Accents are stripped exactly when lowercasing (strip_accents null follows lowercase).
    if (norm.strip_accents !== null && norm.strip_accents !== undefined && norm.strip_accents !== lowercase) {
      throw new Error(`${path}: strip_accents ${String(norm.strip_accents)} with lowercase ${lowercase} is not supported (the engine strips accents exactly when it lowercases)`);
    }
    if (model.continuing_subword_prefix !== undefined && model.continuing_subword_prefix !== '##') throw new Error(`${path}: WordPiece prefix ${JSON.stringify(model.continuing_subword_prefix)} is not supported ('##')`);
    const json = wordPiece(vocabList(model.vocab as Record<string, number>, path), lowercase, path);
    const extra = specials.filter((s) => !json.added_tokens.some((t) => t.content === s.content));
    return extra.length ? withSpecials(json, [...json.added_tokens, ...extra]) : json;
  }
  throw new Error(`${path}: a ${String(model.type)} model with pre-tokenizer ${String(pre?.type ?? 'none')} is not supported (import reads GPT-2's byte-level BPE and BERT's WordPiece)`);
}

/** The folder's tokenizer, converted; throws naming the folder when it has none import reads. */
export function importTokenizer(folder: string): ImportedTokenizer {
  const at = (f: string) => join(folder, f);
  if (existsSync(at('tokenizer.json'))) return { json: fromTokenizerJson(at('tokenizer.json')), source: 'tokenizer.json' };
  if (existsSync(at('vocab.txt'))) {
    const list = readFileSync(at('vocab.txt'), 'utf8').split(/\r?\n/);
    if (list[list.length - 1] === '') list.pop();
    const cfg = existsSync(at('tokenizer_config.json')) ? readJson(at('tokenizer_config.json')) : {};
    return { json: wordPiece(list, cfg.do_lower_case !== false, at('vocab.txt')), source: 'vocab.txt' };
  }
  if (existsSync(at('vocab.json')) && existsSync(at('merges.txt'))) {
    const vocab = readJson(at('vocab.json')) as Record<string, number>;
    const lines = readFileSync(at('merges.txt'), 'utf8').split(/\r?\n/);
    const first = lines[0]?.startsWith('#version') ? 1 : 0;
    const body = lines.slice(first).filter((l) => l !== '');
    const merges = mergePairs(body, (i) => `${at('merges.txt')}:${i + first + 1}`);
    const specials = Object.hasOwn(vocab, EOS) ? [{ content: EOS, id: vocab[EOS] }] : [];
    return { json: bpe(vocab, merges, specials, at('vocab.json')), source: 'vocab.json + merges.txt' };
  }
  throw new Error(`${folder}: no tokenizer (import reads tokenizer.json, vocab.txt (WordPiece), or vocab.json + merges.txt (GPT-2 byte-level BPE))`);
}
