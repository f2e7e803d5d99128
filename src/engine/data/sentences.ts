// Sentence boundaries inside a document, for objectives that pair sentences (BERT's
// next-sentence prediction) or corrupt spans across them. A sentence ends after . ! ? (and
// their full-width forms 。！？, plus ；… for Chinese), followed by closing quotes/brackets,
// then whitespace or (for CJK punctuation) anything; newlines end sentences too. Abbreviations
// are not special-cased: this is a data-preparation heuristic, not linguistics.

const END = /[.!?]+["'”’)\]]*(?=\s)|[。！？；…]+["'”’」』）\]]*|\n+/gu;

/** Sentences of `text`, trimmed, in order, none empty. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const m of text.matchAll(END)) {
    const end = m.index + m[0].length;
    const s = text.slice(start, end).trim();
    if (s) out.push(s);
    start = end;
  }
  const rest = text.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}
