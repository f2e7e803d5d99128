// A file's accounting when some of its documents are deferred past the in-memory dedup set
// (dedup.ts) and found to be duplicates only after reading: the report must read as if they had
// been dropped where they stood. Characters add up either way; what needs care is the order of
// the drop reasons in the report (the order each was first met), and an 'empty-file' issue said
// for a file whose deferred documents turn out to be kept.
import { FileAccount, type DropReason } from './import-report';
import type { CorpusIssue, CorpusIssueCode } from './issues';

export class DedupAccount extends FileAccount {
  /** For each drop reason, how many documents had been deferred (in all files) when it was first met. */
  private readonly firstAt = new Map<DropReason, number>();
  constructor(private readonly dedup: { deferred: number } | null) { super(); }

  override drop(reason: DropReason, chars: number): void {
    if (chars !== 0 && this.dropped[reason] === undefined) this.firstAt.set(reason, this.dedup?.deferred ?? 0);
    super.drop(reason, chars);
  }

  /** The deferred document `ordinal` of this file is a duplicate. */
  dropDeferredDuplicate(chars: number, ordinal: number): void {
    if (chars === 0) return;
    const at = this.firstAt.get('duplicate');
    if (at === undefined || at > ordinal) {
      // Met before every reason first met after it was deferred (a reason met while `ordinal`
      // documents had been deferred came before it in reading order).
      this.firstAt.set('duplicate', ordinal + 0.5);
      const order = Object.keys(this.dropped).filter((r) => r !== 'duplicate') as DropReason[];
      order.push('duplicate');
      order.sort((a, b) => this.firstAt.get(a)! - this.firstAt.get(b)!); // stable: ties keep their order
      const counts = { ...this.dropped, duplicate: this.dropped.duplicate ?? 0 };
      for (const r of Object.keys(this.dropped)) delete this.dropped[r as DropReason];
      for (const r of order) this.dropped[r] = counts[r];
    }
    this.dropped.duplicate! += chars;
  }
}

/** Takes back an issue `report` listed (the objects it pushed), and its count in the file's account. */
export function retractIssue(pushed: { listed: CorpusIssue[]; issues: CorpusIssue[] }, acct: FileAccount, code: CorpusIssueCode,
  severity: 'error' | 'warning', into: { listed: CorpusIssue[]; issues: CorpusIssue[] }): void {
  for (const i of pushed.listed) into.listed.splice(into.listed.indexOf(i), 1);
  for (const i of pushed.issues) into.issues.splice(into.issues.indexOf(i), 1);
  const n = (acct.issueCounts[code] ?? 0) - 1;
  if (n > 0) acct.issueCounts[code] = n; else delete acct.issueCounts[code];
  if (severity === 'error') acct.errors--; else acct.warnings--;
}
