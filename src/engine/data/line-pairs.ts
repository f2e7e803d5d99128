// Paired text as two line-aligned files (the Moses / WMT layout: train.en and train.zh, line i of
// one is the translation of line i of the other), for seq2seq beside the TSV/CSV/JSONL rows of
// formats.ts. Each pair becomes the same document a TSV row would: source [SEP] target.
//   - The line counts are compared before anything is imported (one extra read of each file): a
//     pair of files that differ is misaligned somewhere, so neither is imported, and the error
//     names both files and the first line where one of them has ended.
//   - An empty side skips the pair, naming its file and line (a blank line on both sides too: the
//     pair has no source).
//   - A line over the line limit skips its pair (reported in its file, as in JSONL/CSV).
// Extensions are free (.en, .zh, .txt …): every line is one side of a pair.
import type { CorpusIssue } from './issues';
import { type DocSink, FileSkip, type FormatOptions, type IssueSink, common, sinkPair } from './formats';
import type { FileAccount } from './import-report';
import type { LineEvent } from './lines';

export interface LinePairFiles { source: string; target: string }

/** A line's slot: its text (null: too long, skipped) and the characters of its line break. */
interface Slot { line: number; text: string | null; chars: number; eol: number }

/** Lines of a file as readLines numbers them ('too-long' lines count: they hold a place). */
export async function countLines(events: AsyncIterable<LineEvent[]>): Promise<number> {
  let n = 0;
  for await (const batch of events) for (const e of batch) if (e.kind === 'line' || e.kind === 'too-long') n++;
  return n;
}

/** The refusal of two files whose line counts differ, or null when they agree. */
export function lineCountProblem(files: LinePairFiles, counts: { source: number; target: number }): FileSkip | null {
  if (counts.source === counts.target) return null;
  const [short, long] = counts.source < counts.target ? ['source', 'target'] as const : ['target', 'source'] as const;
  const ended = counts[short];
  const issue: { line: number; code: CorpusIssue['code']; message: string } = {
    line: ended + 1,
    code: 'line-counts-differ',
    message: `line-aligned pair files differ in length: ${files.source} has ${counts.source} lines, ${files.target} has ${counts.target}; ` +
      `the ${short} ${files[short]} ends after line ${ended}, so line ${ended + 1} of ${files[long]} has no ${short}; neither file imported`,
  };
  return new FileSkip(issue);
}

/** The lines of one file as slots; its other events (replaced bytes, controls, too long) reported under `file`. */
async function* slots(events: AsyncIterable<LineEvent[]>, file: string, opts: FormatOptions, issue: IssueSink, acct: FileAccount): AsyncGenerator<Slot> {
  const fileIssue: IssueSink = (i) => issue({ ...i, file });
  for await (const batch of events) {
    for (const e of batch) {
      if (e.kind === 'line') yield { line: e.line, text: e.text, chars: e.chars, eol: e.eol };
      else {
        common(e, opts, fileIssue, acct);
        if (e.kind === 'too-long') yield { line: e.line, text: null, chars: 0, eol: 0 };
      }
    }
  }
}

/**
 * Pairs line i of the source with line i of the target into the sink. The counts were checked
 * equal (lineCountProblem) before; a difference found here all the same (a file changed while
 * being read) stops the import of the pair with the same error. `acct` holds the pair's
 * accounting; `targetAcct` is the one readLines counted the target's characters in.
 */
export async function extractLinePairs(
  source: AsyncIterable<LineEvent[]>, target: AsyncIterable<LineEvent[]>, files: LinePairFiles,
  opts: FormatOptions, sink: DocSink, issue: IssueSink, acct: FileAccount, targetAcct: FileAccount,
): Promise<void> {
  acct.pairs = files;
  const src = slots(source, files.source, opts, issue, acct);
  const tgt = slots(target, files.target, opts, issue, targetAcct);
  for (let n = 0; ; n++) {
    const [s, t] = await Promise.all([src.next(), tgt.next()]);
    if (s.done && t.done) return;
    if (s.done || t.done) throw lineCountProblem(files, { source: n + (s.done ? 0 : 1), target: n + (t.done ? 0 : 1) })!;
    const a = s.value, b = t.value;
    acct.drop('line-breaks', a.eol + b.eol);
    // A line too long on one side was reported and counted there; the other side goes with it.
    if (a.text === null || b.text === null) {
      acct.drop('line-too-long', (a.text === null ? 0 : a.chars) + (b.text === null ? 0 : b.chars));
      continue;
    }
    await sinkPair(a.text, b.text, 0, a.line, files, sink, issue, acct, files);
  }
}
