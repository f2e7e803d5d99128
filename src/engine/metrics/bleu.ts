// BLEU (Papineni et al. 2002) as sacreBLEU 2.x computes it (sacrebleu/metrics/bleu.py): each
// sentence tokenized ('13a': mteval-v13a's rules, WMT's default; 'zh': every CJK character a word,
// then 13a, sacreBLEU's tokenizer for Chinese targets; 'char'; 'none'); clipped n-gram matches of
// orders 1..4 and the reference length summed over the corpus; score = brevity penalty ·
// exp(mean log precision), with sacreBLEU's smoothings ('exp': each zero-match order counts
// 1 / (2^k · total), mteval's; 'floor'; 'add-k'; 'none'). Single reference. Tested against the
// values of sacreBLEU's test suite (test_sentence_bleu.py).

export type BleuTokenizer = '13a' | 'zh' | 'char' | 'none';

export interface BleuOptions {
  tokenize?: BleuTokenizer;
  smooth?: 'exp' | 'floor' | 'add-k' | 'none';
  /** For 'floor' (0.1) and 'add-k' (1). */
  smoothValue?: number;
  lowercase?: boolean;
  /** Average only the orders the hypotheses reach (sacreBLEU's sentence_score does). */
  effectiveOrder?: boolean;
}

const MAX_ORDER = 4;

/** tokenizer_re.py: the language-dependent part of 13a. */
function regexpTokenize(line: string): string {
  line = line.replace(/([{-~[-` -&(-+:-@/])/g, ' $1 ');
  line = line.replace(/([^0-9])([.,])/g, '$1 $2 ');
  line = line.replace(/([.,])([^0-9])/g, ' $1 $2');
  line = line.replace(/([0-9])(-)/g, '$1 $2 ');
  return line.trim().split(/\s+/).filter(Boolean).join(' ');
}

function tokenize13a(line: string): string {
  line = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ')
    .replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  return regexpTokenize(` ${line} `);
}

// tokenizer_zh.py's ranges, compared as sacreBLEU compares them: '\u20000' and '\u2f800' in its
// Python source are two-character strings ('\u2000' + '0' …), so those two ranges cover single
// characters U+2001..U+2A6D and U+2F81..U+2FA1 (general punctuation such as — and … included).
const ZH_RANGES: [number, number][] = [
  [0x3400, 0x4db5], [0x4e00, 0x9fa5], [0x9fa6, 0x9fbb], [0xf900, 0xfa2d], [0xfa30, 0xfa6a], [0xfa70, 0xfad9],
  [0x2001, 0x2a6d], [0x2f81, 0x2fa1], [0xff00, 0xffef], [0x2e80, 0x2eff], [0x3000, 0x303f], [0x31c0, 0x31ef],
  [0x2f00, 0x2fdf], [0x2ff0, 0x2fff], [0x3100, 0x312f], [0x31a0, 0x31bf], [0xfe10, 0xfe1f], [0xfe30, 0xfe4f],
  [0x2600, 0x26ff], [0x2700, 0x27bf], [0x3200, 0x32ff], [0x3300, 0x33ff],
];

function tokenizeZh(line: string): string {
  let out = '';
  for (const ch of line.trim()) {
    // Python compares code points; a character outside the BMP is never inside a BMP range here.
    const c = ch.codePointAt(0)!;
    out += c <= 0xffff && ZH_RANGES.some(([a, b]) => c >= a && c <= b) ? ` ${ch} ` : ch;
  }
  return regexpTokenize(out);
}

export function bleuTokenize(line: string, kind: BleuTokenizer): string {
  if (kind === '13a') return tokenize13a(line);
  if (kind === 'zh') return tokenizeZh(line);
  if (kind === 'char') return Array.from(line).join(' ');
  return line;
}

function ngramCounts(tokens: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (let n = 1; n <= MAX_ORDER; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      const g = `${n}\u0000${tokens.slice(i, i + n).join(' ')}`;
      m.set(g, (m.get(g) ?? 0) + 1);
    }
  }
  return m;
}

export interface BleuResult {
  score: number;
  /** Per order: clipped matches and hypothesis n-grams, and the precisions (0–100). */
  correct: number[];
  total: number[];
  precisions: number[];
  bp: number;
  sysLen: number;
  refLen: number;
}

/** Corpus BLEU of hypotheses against one reference each (scores 0–100). */
export function corpusBleu(hypotheses: readonly string[], references: readonly string[], o: BleuOptions = {}): BleuResult {
  if (hypotheses.length !== references.length) throw new Error(`BLEU: ${hypotheses.length} hypotheses but ${references.length} references`);
  const kind = o.tokenize ?? '13a';
  const correct = new Array<number>(MAX_ORDER).fill(0);
  const total = new Array<number>(MAX_ORDER).fill(0);
  let sysLen = 0, refLen = 0;
  hypotheses.forEach((hyp, i) => {
    const prep = (s: string) => bleuTokenize((o.lowercase ? s.toLowerCase() : s).trimEnd(), kind).split(/\s+/).filter(Boolean);
    const h = prep(hyp), r = prep(references[i]);
    sysLen += h.length; refLen += r.length;
    const rc = ngramCounts(r);
    for (const [g, c] of ngramCounts(h)) {
      const n = Number(g.slice(0, g.indexOf('\u0000')));
      correct[n - 1] += Math.min(c, rc.get(g) ?? 0);
      total[n - 1] += c;
    }
  });
  // No n-gram matches at all: 0, whatever the smoothing (sacreBLEU's early stop, its issue #141).
  if (correct.every((x) => x === 0)) return { score: 0, correct, total, precisions: new Array<number>(MAX_ORDER).fill(0), bp: 0, sysLen, refLen };
  const smooth = o.smooth ?? 'exp';
  const value = o.smoothValue ?? (smooth === 'floor' ? 0.1 : 1);
  const precisions = new Array<number>(MAX_ORDER).fill(0);
  const c = [...correct], t = [...total];
  let mteval = 1, effective = MAX_ORDER;
  for (let n = 1; n <= MAX_ORDER; n++) {
    if (smooth === 'add-k' && n > 1) { c[n - 1] += value; t[n - 1] += value; }
    if (t[n - 1] === 0) break;
    if (o.effectiveOrder) effective = n;
    if (c[n - 1] === 0) {
      if (smooth === 'exp') { mteval *= 2; precisions[n - 1] = 100 / (mteval * t[n - 1]); } else if (smooth === 'floor') precisions[n - 1] = (100 * value) / t[n - 1];
    } else precisions[n - 1] = (100 * c[n - 1]) / t[n - 1];
  }
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const log = (x: number) => (x === 0 ? -9999999999 : Math.log(x));
  const score = bp * Math.exp(precisions.slice(0, effective).reduce((s, p) => s + log(p), 0) / effective);
  return { score, correct, total, precisions, bp, sysLen, refLen };
}
