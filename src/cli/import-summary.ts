// The import step of `npm run train`, run before the GPU is opened: the corpus is imported (or
// found in the cache) and its summary printed whatever happens next, so a run that stops early
// (too little text, --strict, --importOnly) still says what was skipped, split or dropped.
import type { TrainOptions } from '../engine/config/train-config.ts';
import { ImportFailedError } from '../engine/data/import-cache.ts';
import { issueTotals } from '../engine/data/import-report.ts';
import { importForRun } from '../engine/train/prepare.ts';

/**
 * Prints the summary; on a failed (or, with `strict`, imperfect) import prints why and exits 1.
 * Returns a line to add to a later error (the import had issues), or ''.
 */
export async function importStep(options: TrainOptions, strict: boolean, out: NodeJS.WritableStream = process.stdout): Promise<string> {
  let said = false;
  try {
    const imported = await importForRun(options, {
      strict,
      onProgress: (p) => { if (!said && p.fraction === 0) { out.write(`[import] ${p.message}\n`); said = true; } },
    });
    out.write(imported.summary.map((l) => `[import] ${l}\n`).join(''));
    const n = imported.report ? issueTotals(imported.report) : { errors: 0, warnings: imported.manifest.issues.length };
    const issues = n.errors + n.warnings;
    return issues ? `note: the corpus import reported ${issues} issue${issues === 1 ? '' : 's'} (see [import] above; ${imported.reportPath})` : '';
  } catch (err) {
    if (!(err instanceof ImportFailedError)) throw err;
    process.stderr.write(`error: ${err.message}\n`);
    process.exit(1);
  }
}
