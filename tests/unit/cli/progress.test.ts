// The CLI's preparation progress: fraction and ETA from the phase's rate so far; a log (not a
// TTY) gets one line per tenth of a long phase, not one per update.
import { expect, test } from 'vitest';
import { ProgressPrinter, prepareLine } from '../../../src/cli/progress';

test('prepareLine: ETA is the remaining fraction at the rate so far', () => {
  expect(prepareLine('shards', 'tokenized 250 of 1000 documents', 0.25, 30_000)).toBe('[shards] tokenized 250 of 1000 documents  25.0%  ETA 1m30s');
  expect(prepareLine('shards', 'x', 0, 0)).toBe('[shards] x  0.0%  ETA --');
});

test('a non-TTY log gets one line per tenth of a long phase', () => {
  const lines: string[] = [];
  const out = { write: (s: string) => { lines.push(s); return true; } } as unknown as NodeJS.WriteStream;
  const p = new ProgressPrinter(out, false);
  for (let d = 1; d < 1000; d++) p.handle({ type: 'run.prepare', phase: 'shards', message: `tokenized ${d} of 1000 documents`, fraction: d / 1000 } as never);
  const shards = lines.filter((l) => l.startsWith('[shards]'));
  expect(shards.length).toBe(10);
  expect(shards[0]).toMatch(/^\[shards\] tokenized 1 of 1000 documents {2}0\.1% {2}ETA /);
});
