// Paired documents (`source [SEP] target`, formats.ts) tokenized by two tokenizers, one per side:
// the source by the source tokenizer, the target by the target tokenizer, joined by [SEP]. The
// shard stream then holds ids of two vocabularies; seq2seq's collator splits each document at its
// first [SEP] (objectives/seq2seq.ts pairOf), so the encoder reads source ids and the decoder
// target ids. Both tokenizers put the specials first in one order (tokenizers/specials.ts), so
// [PAD] [CLS] [SEP] … have one id on both sides; the constructor checks it.
import { createHash } from 'node:crypto';
import { specialTokenList } from '../tokenizers/specials';
import type { Tokenizer } from '../tokenizers/tokenizer';
import { PAIR_SEPARATOR } from './formats';

/** What the shard builder needs of a tokenizer. */
export interface ShardTokenizer {
  /** Identifies the tokenization: the cache key of the shards. */
  readonly hash: string;
  /** The largest id + 1 (picks the shards' integer width). */
  readonly vocabSize: number;
  encode(text: string): number[];
  tokenToId(token: string): number | undefined;
}

/** The side of a paired document: its source (before the first [SEP]) or its target (after). */
export function pairSide(text: string, side: 'source' | 'target'): string {
  const k = text.indexOf(PAIR_SEPARATOR);
  if (k < 0) return side === 'source' ? text : '';
  return side === 'source' ? text.slice(0, k) : text.slice(k + PAIR_SEPARATOR.length);
}

export class PairTokenizer implements ShardTokenizer {
  readonly hash: string;
  readonly vocabSize: number;
  private readonly sep: number;

  constructor(readonly source: Tokenizer, readonly target: Tokenizer) {
    for (const t of specialTokenList({ bert: true, eos: false, sentinels: 0 })) {
      const a = source.tokenToId(t), b = target.tokenToId(t);
      if (a === undefined || a !== b) throw new Error(`separate tokenizers: the special ${t} has id ${a ?? 'none'} in the source tokenizer and ${b ?? 'none'} in the target tokenizer; both need the same specials at the same ids`);
    }
    this.sep = source.tokenToId(PAIR_SEPARATOR)!;
    this.vocabSize = Math.max(source.vocabSize, target.vocabSize);
    this.hash = createHash('sha256').update(`pair:${source.hash}:${target.hash}`).digest('hex');
  }

  /** A paired document: source ids, [SEP], target ids; text without [SEP] is all source (a document separator). */
  encode(text: string): number[] {
    const k = text.indexOf(PAIR_SEPARATOR);
    if (k < 0) return this.source.encode(text);
    return [...this.source.encode(text.slice(0, k)), this.sep, ...this.target.encode(text.slice(k + PAIR_SEPARATOR.length))];
  }

  tokenToId(token: string): number | undefined {
    return this.source.tokenToId(token);
  }
}
