// Streaming: a ~50 MB corpus imports with bounded RSS growth (the documents go to disk as they
// come; only 16 bytes per distinct document stay in memory). Uses benchImport, which the
// benchmark reports with MB/s and peak RSS.
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
  expect(r.peakRssMB - r.rssBeforeMB).toBeLessThan(r.bytes / 1e6 * 3);
  expect(r.peakRssMB - r.rssBeforeMB).toBeLessThan(200);
}, 90_000);
