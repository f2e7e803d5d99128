import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { writeFileAtomic } from '../../../src/engine/runstore/atomic';
import { latestCheckpoint, listCheckpoints, readCheckpoint, writeCheckpoint } from '../../../src/engine/runstore/checkpoints';
import { appendMetrics, readMetrics, truncateMetrics } from '../../../src/engine/runstore/metrics-log';

const fresh = () => mkdtempSync(join(tmpdir(), 'ps-run-'));

test('atomic writes replace the file and leave no temp files', () => {
  const dir = fresh();
  const file = join(dir, 'config.json');
  writeFileAtomic(file, 'one');
  writeFileAtomic(file, 'two');
  expect(readFileSync(file, 'utf8')).toBe('two');
  expect(readdirSync(dir)).toEqual(['config.json']);
});

test('checkpoints keep the newest K, ignore incomplete folders, and round-trip', () => {
  const run = fresh();
  for (const step of [10, 20, 30, 40]) {
    writeCheckpoint(run, {
      model: new Uint8Array([step, 1, 2]),
      optimizer: new Uint8Array([step]),
      state: { step, optimizerStep: step, data: { seed: 7 }, savedAt: 'now' },
    }, 2);
  }
  expect(listCheckpoints(run)).toEqual([30, 40]);
  // A folder left by a crash mid-write (no state.json) is not a checkpoint.
  mkdirSync(join(run, 'checkpoints', 'step-50'));
  expect(latestCheckpoint(run)).toBe(40);
  const ck = readCheckpoint(run, 40);
  expect([...ck.model]).toEqual([40, 1, 2]);
  expect(ck.state.data.seed).toBe(7);
  expect(existsSync(join(run, 'checkpoints', 'step-10'))).toBe(false);
});

test('metrics survive a torn last line and truncate back to a checkpoint', () => {
  const path = join(fresh(), 'metrics.jsonl');
  appendMetrics(path, [1, 2, 3, 4].map((step) => ({ step, time: step, split: 'train' as const, loss: 5 - step })));
  appendFileSync(path, '{"step": 5, "lo');
  expect(readMetrics(path).map((r) => r.step)).toEqual([1, 2, 3, 4]);
  truncateMetrics(path, 2);
  expect(readMetrics(path).map((r) => r.loss)).toEqual([4, 3]);
  writeFileSync(path, 'not json\n{"step":9,"time":0,"split":"val","loss":1}\n');
  expect(readMetrics(path)).toHaveLength(1);
});
