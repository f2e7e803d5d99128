// The Hugging Face `tokenizers` file format (tokenizer.json), restricted to the three shapes we
// write. Both `tokenizers` (Rust, native) and `@huggingface/tokenizers` (pure JS) load these, and
// tests check that they give the same ids as our encoder (tokenizer.ts).
//   char      : BPE model with no merges (each character is a token), Fuse decoder
//   bpe       : GPT-2 byte-level BPE (ByteLevel pre-tokenizer + decoder), no unk token needed
//   wordpiece : BERT (BertNormalizer, BertPreTokenizer, WordPiece "##", [CLS] A [SEP] template)

export type TokenizerKind = 'char' | 'bpe' | 'wordpiece';

export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: false;
  lstrip: false;
  rstrip: false;
  normalized: false;
  special: true;
}

export interface BpeModelJson {
  type: 'BPE';
  dropout: null;
  unk_token: string | null;
  continuing_subword_prefix: null;
  end_of_word_suffix: null;
  fuse_unk: false;
  byte_fallback: false;
  ignore_merges: false;
  vocab: Record<string, number>;
  merges: [string, string][];
}

export interface WordPieceModelJson {
  type: 'WordPiece';
  unk_token: string;
  continuing_subword_prefix: '##';
  max_input_chars_per_word: number;
  vocab: Record<string, number>;
}

export interface TokenizerJson {
  version: '1.0';
  truncation: null;
  padding: null;
  added_tokens: AddedTokenJson[];
  normalizer: { type: 'BertNormalizer'; clean_text: true; handle_chinese_chars: true; strip_accents: boolean | null; lowercase: boolean } | null;
  pre_tokenizer: { type: 'ByteLevel'; add_prefix_space: false; trim_offsets: true; use_regex: true } | { type: 'BertPreTokenizer' } | null;
  post_processor: Record<string, unknown> | null;
  decoder: Record<string, unknown> | null;
  model: BpeModelJson | WordPieceModelJson;
}

export function addedTokens(specials: readonly string[]): AddedTokenJson[] {
  return specials.map((content, id) => ({
    id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  }));
}

/** vocab list (index = id) → the object form tokenizer.json uses. */
export function vocabObject(vocab: readonly string[]): Record<string, number> {
  const obj: Record<string, number> = {};
  vocab.forEach((tok, id) => {
    if (Object.hasOwn(obj, tok)) throw new Error(`tokenizer: duplicate vocab entry ${JSON.stringify(tok)} (ids ${obj[tok]} and ${id})`);
    obj[tok] = id;
  });
  return obj;
}

export function charTokenizerJson(vocab: readonly string[], specials: readonly string[]): TokenizerJson {
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: addedTokens(specials),
    normalizer: null, pre_tokenizer: null, post_processor: null,
    decoder: { type: 'Fuse' },
    model: {
      type: 'BPE', dropout: null, unk_token: specials.includes('[UNK]') ? '[UNK]' : null,
      continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false,
      ignore_merges: false, vocab: vocabObject(vocab), merges: [],
    },
  };
}

export function bpeTokenizerJson(vocab: readonly string[], merges: [string, string][], specials: readonly string[]): TokenizerJson {
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: addedTokens(specials),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab: vocabObject(vocab), merges,
    },
  };
}

export function wordPieceTokenizerJson(vocab: readonly string[], specials: readonly string[], lowercase: boolean): TokenizerJson {
  const ids = vocabObject(vocab);
  const special = (tok: string) => ({ id: tok, ids: [ids[tok]], tokens: [tok] });
  const hasClsSep = Object.hasOwn(ids, '[CLS]') && Object.hasOwn(ids, '[SEP]');
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: addedTokens(specials),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: hasClsSep ? {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': special('[CLS]'), '[SEP]': special('[SEP]') },
    } : null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: ids,
    },
  };
}

/** Which of our three shapes a tokenizer.json is (throws for files we did not write). */
export function kindOf(json: TokenizerJson): TokenizerKind {
  if (json.model.type === 'WordPiece' && json.pre_tokenizer?.type === 'BertPreTokenizer') return 'wordpiece';
  if (json.model.type === 'BPE' && json.pre_tokenizer?.type === 'ByteLevel') return 'bpe';
  if (json.model.type === 'BPE' && json.pre_tokenizer === null && json.model.merges.length === 0) return 'char';
  throw new Error('tokenizer: unsupported tokenizer.json shape (we read the char, byte-level BPE and WordPiece files we write)');
}
