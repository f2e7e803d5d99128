// benchImport(path): import a file or folder into a temporary corpus directory and report
// throughput and peak resident memory (sampled every 20 ms), for `npm run bench`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCorpus } from './import';

export interface ImportBenchResult {
  path: string;
  bytes: number;
  documents: number;
  seconds: number;
  mbPerSecond: number;
  /** CPU time of this process (user + system) during the import: steadier than wall time on a
   *  shared machine; bytes / cpuSeconds is the rate with a core to itself. */
  cpuSeconds: number;
  /** RSS before the import and the highest RSS seen during it, in MB (10^6 bytes). */
  rssBeforeMB: number;
  peakRssMB: number;
  issues: number;
}

export async function benchImport(path: string): Promise<ImportBenchResult> {
  const work = await mkdtemp(join(tmpdir(), 'bench-import-'));
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 20);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  try {
    const r = await importCorpus({ inputs: [path], outDir: join(work, 'corpus') });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    peak = Math.max(peak, process.memoryUsage.rss());
    const bytes = r.manifest?.files.reduce((s, f) => s + f.bytes, 0) ?? 0;
    return {
      path, bytes, documents: r.manifest?.stats.documents ?? 0, seconds, mbPerSecond: bytes / 1e6 / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6,
      rssBeforeMB: before / 1e6, peakRssMB: peak / 1e6, issues: r.issues.length,
    };
  } finally {
    clearInterval(timer);
    await rm(work, { recursive: true, force: true });
  }
}
