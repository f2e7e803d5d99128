// Streaming: a ~50 MB corpus imports in a process whose JavaScript heap is capped at 64 MB (the
// text alone, held as strings, would need more: an importer that kept it would die of heap
// exhaustion), and with bounded RSS growth in this one. RSS alone is a loose guard: V8 collects
// garbage when it likes, so the same import peaks 100-160 MB above its start here depending on the
// load. Uses benchImport, which the benchmark reports with MB/s and peak RSS.
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { afterAll, expect, test } from 'vitest';
import { benchImport } from '../../../src/engine/data';
import { Workspace } from './helpers';

const ws = new Workspace();
afterAll(() => ws.dispose());

test('a ~50 MB file imports with RSS growth well below its size', async () => {
  const path = ws.path('big.txt');
  const out = createWriteStream(path);
  let bytes = 0, i = 0;
  while (bytes < 50e6) {
    const lines: string[] = [];
    for (let k = 0; k < 1000; k++, i++) lines.push(`Paragraph ${i}: the quick brown fox ${i % 977} jumps over the lazy dog.\n猫在垫子上睡觉 ${i * 7 % 1009}。\n\n`);
    const chunk = lines.join('');
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  global.gc?.();
  const r = await benchImport(path);
  console.log(`benchImport: ${(r.bytes / 1e6).toFixed(1)} MB, ${r.documents} documents in ${r.seconds.toFixed(1)} s = ${r.mbPerSecond.toFixed(1)} MB/s (${(r.bytes / 1e6 / r.cpuSeconds).toFixed(1)} MB per CPU-second); RSS ${r.rssBeforeMB.toFixed(0)} → peak ${r.peakRssMB.toFixed(0)} MB (shared 2-core machine: timings are disturbed)`);
  expect(r.documents).toBe(i);
  expect(r.bytes).toBe(bytes);
  expect(r.peakRssMB - r.rssBeforeMB).toBeLessThan(200);

  const capped = spawnSync(process.execPath, [
    '--max-old-space-size=64', '--import', 'tsx', '--import', './scripts/register-wgsl.mjs',
    'scripts/bench-corpus.ts', 'import', path, ws.path('capped-corpus'), 'thread',
  ], { encoding: 'utf8', timeout: 80_000 });
  expect(capped.status, capped.stderr.slice(-2000)).toBe(0);
  const line = JSON.parse(capped.stdout.trim().split('\n').pop()!) as { documents: number; mb: number };
  expect(line.documents).toBe(i);
}, 150_000);
