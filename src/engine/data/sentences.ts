// Sentence boundaries inside a document, for BERT's next-sentence pairs. A data-preparation
// heuristic, tuned to fail towards "one longer sentence" rather than cutting mid-sentence, since
// a false cut makes an IsNext pair whose A ends in the middle of a thought:
//   Chinese/Japanese stops 。！？； (and full-width ！？ runs) always end a sentence, with any closing
//     quotes or brackets after them (他说：“好。”然后 → 他说：“好。” | 然后).
//   . ! ? end one when followed (after closers) by whitespace or the end of the text, except:
//     a known abbreviation (Mr. e.g. etc.), a single-letter initial (J. R. R.), a list number at
//     the start of a line (1.), or when the next word starts in lower case (e.g. "3 p.m. and").
//   … and ... behave like . (a trailing ellipsis before a capital ends the sentence; "wait… no" doesn't),
//     but directly after a CJK character … / …… ends it like 。.
//   A blank line always ends a sentence (paragraph); a single newline does only before a list item
//     (- * • or 1. / 1)), since verse and wrapped prose break lines mid-sentence.

// Lower-cased, without the final dot; multi-dot ones are matched on the text before the last dot.
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'vs', 'etc', 'e.g', 'i.e', 'cf', 'al', 'no', 'vol', 'fig', 'pp',
  'inc', 'ltd', 'co', 'corp', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
  'a.m', 'p.m', 'u.s', 'u.k', 'gen', 'col', 'capt', 'lt', 'sgt', 'rev', 'hon', 'approx', 'dept', 'est', 'viz',
]);
const CLOSERS = `"'”’»)\\]}」』）》】〉`;
const CJK = /[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff]/u;
const CJK_STOP = new RegExp(`[。！？；!?]*[。！？；][。！？；!?]*[${CLOSERS}]*`, 'gu');
const LATIN_STOP = new RegExp(`(?:\\.{3}|…+|[.!?]+)[${CLOSERS}]*`, 'gu');

/** Character offsets (exclusive ends) where sentences end, ascending; the text's end is not included. */
export function sentenceEnds(text: string): number[] {
  const ends = new Set<number>();
  for (const m of text.matchAll(CJK_STOP)) ends.add(m.index + m[0].length);
  for (const m of text.matchAll(LATIN_STOP)) {
    const end = m.index + m[0].length;
    if (latinEnds(text, m.index, m[0], end)) ends.add(end);
  }
  // Paragraph breaks, and newlines that start a list item.
  for (const m of text.matchAll(/\n[ \t]*\n\s*|\n(?=[ \t]*(?:[-*•]|\d{1,3}[.)])\s)/gu)) ends.add(m.index);
  return [...ends].filter((e) => e > 0 && e < text.length && text.slice(e).trim() !== '').sort((a, b) => a - b);
}

function latinEnds(text: string, start: number, stop: string, end: number): boolean {
  const isEllipsis = stop.startsWith('…') || stop.startsWith('...');
  if (isEllipsis && CJK.test(text.slice(Math.max(0, start - 1), start))) return true; // Chinese …… ends like 。
  const after = text.slice(end);
  if (after !== '' && !/^\s/u.test(after)) return false; // 3.14, e.g.x, a.b.c
  const next = after.trimStart();
  if (next === '') return true;
  if (/^\p{Ll}/u.test(next)) return false; // continues in lower case: an abbreviation or a pause
  if (stop[0] !== '.' || isEllipsis) return true;
  // The word before the stop, looked for in its last 64 characters: a regex anchored at the end
  // of the whole text scans it from the start at every stop (quadratic on a novel-sized
  // document), and a longer word is neither an abbreviation nor an initial anyway.
  const word = /([\p{L}.]+)$/u.exec(text.slice(Math.max(0, start - 64), start))?.[1] ?? '';
  if (ABBREVIATIONS.has(word.toLowerCase())) return false;
  if (/^\p{Lu}$/u.test(word)) return false; // an initial: J. K. Rowling
  if (listNumberBefore(text, start)) return false; // a list number: "1. Preheat the oven."
  return true;
}

/** Whether the line before `start` is [ \t]* and 1 to 3 digits, walking back from `start` (no scan of the line). */
function listNumberBefore(text: string, start: number): boolean {
  let i = start;
  while (i > 0 && start - i < 4 && text.charCodeAt(i - 1) >= 48 && text.charCodeAt(i - 1) <= 57) i--;
  const digits = start - i;
  if (digits < 1 || digits > 3) return false;
  while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t')) i--;
  return i === 0 || text[i - 1] === '\n';
}

/** Sentences of `text`, trimmed, in order, none empty. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const end of [...sentenceEnds(text), text.length]) {
    const s = text.slice(start, end).trim();
    if (s) out.push(s);
    start = end;
  }
  return out;
}
