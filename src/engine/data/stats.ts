// Corpus statistics gathered while documents stream past: counts, script mix (Han / Latin /
// other letters, by Unicode code point), a log2 length histogram and label distribution.

export interface ScriptCounts {
  han: number;
  latin: number;
  /** Letters of any other script (Cyrillic, Greek, Kana, Hangul, Arabic …). */
  otherLetters: number;
}

export interface CorpusStats {
  documents: number;
  /** Unicode code points. */
  characters: number;
  /** UTF-8 bytes of the normalized text. */
  bytes: number;
  /** Filled when a tokenizer was given to the import (or later by the shard builder). */
  tokens: number | null;
  scripts: ScriptCounts;
  /** Documents whose letters are ≥ 80% Han / ≥ 80% Latin / neither (mixed or other). */
  documentsByScript: { han: number; latin: number; mixed: number };
  /** Histogram of document length in characters: counts[i] covers [edges[i], edges[i+1]). */
  lengthHistogram: { edges: number[]; counts: number[] };
  labels: Record<string, number>;
  duplicatesDropped: number;
  emptyDropped: number;
}

const BUCKETS = 24; // 0, 1, 2, 4 … 2^22 and above

function isHanCp(cp: number): boolean {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x20000 && cp <= 0x323af) || (cp >= 0x2e80 && cp <= 0x2fdf) || cp === 0x3005 || cp === 0x3007;
}

function isLatinCp(cp: number): boolean {
  return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0xaa || cp === 0xba ||
    (cp >= 0xc0 && cp <= 0x24f && cp !== 0xd7 && cp !== 0xf7) || (cp >= 0x1e00 && cp <= 0x1eff) ||
    (cp >= 0x2c60 && cp <= 0x2c7f) || (cp >= 0xa720 && cp <= 0xa7ff) || (cp >= 0xff21 && cp <= 0xff3a) || (cp >= 0xff41 && cp <= 0xff5a);
}

const LETTER = /\p{L}/u;

export class StatsAccumulator {
  readonly stats: CorpusStats = {
    documents: 0, characters: 0, bytes: 0, tokens: null,
    scripts: { han: 0, latin: 0, otherLetters: 0 },
    documentsByScript: { han: 0, latin: 0, mixed: 0 },
    lengthHistogram: { edges: [0, ...Array.from({ length: BUCKETS - 1 }, (_, i) => 2 ** i)], counts: new Array(BUCKETS).fill(0) },
    labels: {}, duplicatesDropped: 0, emptyDropped: 0,
  };

  add(text: string, label: string | undefined, tokens?: number): void {
    const s = this.stats;
    let chars = 0, han = 0, latin = 0, other = 0;
    for (let i = 0; i < text.length; i++) {
      let cp = text.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) { cp = text.codePointAt(i)!; i++; }
      chars++;
      if (cp < 0x80) { if ((cp | 0x20) >= 0x61 && (cp | 0x20) <= 0x7a) latin++; continue; }
      if (isHanCp(cp)) han++;
      else if (isLatinCp(cp)) latin++;
      else if (LETTER.test(String.fromCodePoint(cp))) other++;
    }
    s.documents++;
    s.characters += chars;
    s.bytes += Buffer.byteLength(text, 'utf8');
    if (tokens !== undefined) s.tokens = (s.tokens ?? 0) + tokens;
    s.scripts.han += han; s.scripts.latin += latin; s.scripts.otherLetters += other;
    const letters = han + latin + other;
    if (letters > 0 && han >= 0.8 * letters) s.documentsByScript.han++;
    else if (letters > 0 && latin >= 0.8 * letters) s.documentsByScript.latin++;
    else s.documentsByScript.mixed++;
    const bucket = chars === 0 ? 0 : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log2(chars)));
    s.lengthHistogram.counts[bucket]++;
    if (label !== undefined) s.labels[label] = (s.labels[label] ?? 0) + 1;
  }
}
