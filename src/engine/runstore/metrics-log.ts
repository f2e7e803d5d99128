// metrics.jsonl: one JSON object per logged step or evaluation, appended as training goes.
// Appends are not atomic, so a crash can leave a torn last line: readers skip it, and a resumed
// run first truncates the log back to its checkpoint's step so the curve has no duplicates.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic';

export interface MetricRecord {
  step: number;
  /** Unix milliseconds when the record was made. */
  time: number;
  split: 'train' | 'val';
  [name: string]: number | string;
}

export function appendMetrics(path: string, records: readonly MetricRecord[]): void {
  if (records.length === 0) return;
  appendFileSync(path, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

export function readMetrics(path: string): MetricRecord[] {
  if (!existsSync(path)) return [];
  const records: MetricRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (value && typeof value === 'object' && typeof (value as MetricRecord).step === 'number') {
        records.push(value as MetricRecord);
      }
    } catch {
      // A torn line from a crash mid-append: skip it.
    }
  }
  return records;
}

/** Drops every record after `step` (used when resuming from a checkpoint at that step). */
export function truncateMetrics(path: string, step: number): void {
  if (!existsSync(path)) return;
  const kept = readMetrics(path).filter((r) => r.step <= step);
  writeFileAtomic(path, kept.map((r) => JSON.stringify(r) + '\n').join(''));
}
