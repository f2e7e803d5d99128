// Tokenizer training's counting pass, one text at a time: the pre-tokenized words (for char, the
// characters) with their counts, special tokens cut out. Shared by the in-thread trainer and the
// counting worker threads (data/tokenizer-count-worker.ts), so both count exactly alike. The map
// keeps words in order of first appearance, and merged counts keep it too (mergeCounts), so the
// trainers see the very map one counter over the whole input builds, whatever they iterate.
import { bertNormalize, bertPreTokenize } from './bert-basic';
import { byteLevelPreTokenize } from './byte-level';
import type { TokenizerKind } from './tokenizer-json';

export interface CountSpec {
  kind: TokenizerKind;
  /** The trainer's full list of special tokens (cut out of the texts before counting). */
  specials: string[];
  /** WordPiece only: lowercase + strip accents. */
  lowercase?: boolean;
}

export class WordCounter {
  readonly counts = new Map<string, number>();
  /** Characters (UTF-16 units) of the texts added so far. */
  seen = 0;
  private readonly specialRe: RegExp | null;

  constructor(private readonly spec: CountSpec) {
    const s = spec.specials;
    this.specialRe = s.length ? new RegExp(s.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g') : null;
  }

  add(text: string): void {
    const { kind } = this.spec;
    for (const piece of this.specialRe ? text.split(this.specialRe) : [text]) {
      if (kind === 'char') for (const ch of piece) this.word(ch);
      else if (kind === 'bpe') for (const w of byteLevelPreTokenize(piece)) this.word(w);
      else for (const w of bertPreTokenize(bertNormalize(piece, { lowercase: this.spec.lowercase ?? false }))) this.word(w);
    }
    this.seen += text.length;
  }

  private word(w: string): void {
    this.counts.set(w, (this.counts.get(w) ?? 0) + 1);
  }
}

/**
 * Counts of consecutive stretches of the input, merged in input order: words keep the order of
 * their first appearance in the whole input, as one counter over all of it would have them.
 */
export function mergeCounts(parts: Iterable<Map<string, number>>): Map<string, number> {
  let into: Map<string, number> | null = null;
  for (const part of parts) {
    if (!into) { into = part; continue; }
    for (const [w, c] of part) into.set(w, (into.get(w) ?? 0) + c);
  }
  return into ?? new Map();
}
