// Which column of a CSV/TSV table holds the text when the header names none of the usual ones
// (text, sentence, …) and none was asked for: a pairs table such as cmn-eng.tsv
// (`english\tchinese\tattribution`) has no such name, yet `--objective seq2seq` reads it, so the
// Corpus page must import it too. The guess looks at the first rows rather than the header,
// because a header cannot tell `english` (text) from `score` (numbers).

/** Column names taken without looking at the rows, in this order of preference. */
export const TEXT_COLUMNS = ['text', 'sentence', 'review', 'content', 'body'];

/** Rows looked at before the text column is guessed (fewer when the file is shorter). */
export const GUESS_ROWS = 50;

// A number, a percentage or an empty field is not text: ids, scores and counts are excluded.
const NUMBER = /^[-+]?(\d[\d,_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?%?$/;

/** True when `value` reads as text rather than a number or nothing. */
export function isTextValue(value: string): boolean {
  const v = value.trim();
  return v !== '' && !NUMBER.test(v);
}

/**
 * The first column (not `exclude`, the label column) whose non-empty values in `rows` are mostly
 * text, or -1 when none is. Rows shorter than the header simply lack the later columns.
 */
export function guessTextColumn(header: readonly string[], rows: readonly (readonly string[])[], exclude: number): number {
  for (let c = 0; c < header.length; c++) {
    if (c === exclude) continue;
    let text = 0, filled = 0;
    for (const r of rows) {
      const v = r[c]?.trim() ?? '';
      if (v === '') continue;
      filled++;
      if (isTextValue(v)) text++;
    }
    if (filled > 0 && text * 2 > filled) return c;
  }
  return -1;
}
