// An import that is done once and then reused from its folder, with the same summary either
// way: the report is stored in the corpus folder (import-report.json), so a person who runs a
// second time on the same files sees the warnings of the first. The CLI and the trainer both
// come through here, so the app and the terminal say the same thing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_FILE, type ImportOptions } from './import';
import { importCorpusOffThread } from './import-workers';
import { issueTotals, readImportReport, summarizeImport, type StoredImportReport } from './import-report';
import { formatIssue, type CorpusIssue } from './issues';
import { loadManifest, type CorpusManifest } from './store';

export interface CachedImport {
  corpusDir: string;
  manifest: CorpusManifest;
  /** Null only for a corpus imported before reports were kept. */
  report: StoredImportReport | null;
  reportPath: string;
  cached: boolean;
  /** Lines to show a person (see summarizeImport). */
  summary: string[];
}

/** The import failed (nothing importable) or, with `strict`, had warnings. */
export class ImportFailedError extends Error {
  constructor(message: string, readonly summary: string[], readonly issues: CorpusIssue[], readonly reportPath: string) {
    super(`${message}\n${summary.join('\n')}`);
    this.name = 'ImportFailedError';
  }
}

export interface ImportOrReuseOptions extends ImportOptions {
  /** Any warning is an error: the import is refused (the corpus stays cached for a later run). */
  strict?: boolean;
  /** Issues listed in the summary (default 5). */
  firstIssues?: number;
}

export async function importOrReuse(opts: ImportOrReuseOptions): Promise<CachedImport> {
  const corpusDir = opts.outDir;
  const reportPath = join(corpusDir, REPORT_FILE);
  let result: CachedImport;
  // A corpus folder of another format version is imported again (publishDir replaces it).
  const manifest = existsSync(join(corpusDir, 'manifest.json')) ? await loadManifest(corpusDir).catch(() => null) : null;
  if (manifest) {
    const report = readImportReport(reportPath);
    const summary = report
      ? summarizeImport(report, { reportPath, cached: true, firstIssues: opts.firstIssues })
      : [`imported earlier (cached): ${manifest.stats.documents} documents; no import report (imported by an older version)`, ...manifest.issues.slice(0, opts.firstIssues ?? 5).map((i) => `  ${formatIssue(i)}`)];
    result = { corpusDir, manifest, report, reportPath, cached: true, summary };
  } else {
    // On a worker thread where the host has them: its event loop stays free (import-workers.ts).
    const r = await importCorpusOffThread(opts);
    const summary = summarizeImport(r.report, { reportPath: r.reportPath, firstIssues: opts.firstIssues });
    if (!r.manifest) throw new ImportFailedError(`Nothing could be imported from ${opts.inputs.join(', ')}:`, summary, r.issues, r.reportPath);
    result = { corpusDir, manifest: r.manifest, report: r.report, reportPath: r.reportPath, cached: false, summary };
  }
  if (opts.strict) {
    const warnings = result.report ? issueTotals(result.report).warnings + issueTotals(result.report).errors : result.manifest.issues.length;
    if (warnings > 0) {
      throw new ImportFailedError(`--strict: the import of ${opts.inputs.join(', ')} had ${warnings} issue${warnings === 1 ? '' : 's'}; fix them or run without --strict:`, result.summary, result.manifest.issues, reportPath);
    }
  }
  return result;
}
