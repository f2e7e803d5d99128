// The Data page's tokenizer training on the host: corpus.changed snapshots carry its progress
// (phase, fraction) while it runs and none after; tokenizer.cancel stops it, the tokenizer trained
// before stays, and the snapshots validate against the protocol's schema.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StudioEvent } from '../../../src/protocol/index.ts';
import { CorpusSnapshotSchema, type CorpusSnapshot } from '../../../src/protocol/commands/corpus-schemas.ts';
import { CorpusSession } from '../../../src/engine/host/corpus/session.ts';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'tok-progress-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** Varied words (mulberry32), so BPE's merges take a while. */
function text(paragraphs: number): string {
  let s = 3;
  const next = () => { s = (s + 0x6d2b79f5) | 0; let t = Math.imul(s ^ (s >>> 15), 1 | s); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32; };
  const syl = ['ka', 'lo', 'mi', 'ne', 'su', 'ta', 'ri', 'po', 'an', 'el', '猫', '狗', '公园'];
  return Array.from({ length: paragraphs }, () => Array.from({ length: 30 }, () => Array.from({ length: 1 + Math.floor(next() * 4) }, () => syl[Math.floor(next() * syl.length)]).join('')).join(' ')).join('\n\n');
}

it('snapshots show the training while it runs; cancel stops it and keeps the previous tokenizer', async () => {
  const snaps: CorpusSnapshot[] = [];
  const session = new CorpusSession((e: StudioEvent) => { if (e.type === 'corpus.changed') snaps.push(e.snapshot); }, undefined, join(dir, 'work'));
  await writeFile(join(dir, 'words.txt'), text(3000));
  await Promise.all(session.add([join(dir, 'words.txt')], false).started);
  const first = await session.trainTokenizer('char', 4096, 'clm');
  const during = snaps.filter((s) => s.training);
  expect(during.length).toBeGreaterThan(0);
  expect(new Set(during.map((s) => s.training!.phase))).toEqual(new Set(['train', 'count']));
  for (const s of snaps) expect(v.safeParse(CorpusSnapshotSchema, s).success).toBe(true);
  expect(snaps.at(-1)!.training).toBeUndefined();

  snaps.length = 0;
  const training = session.trainTokenizer('bpe', 3000, 'clm');
  await expect.poll(() => snaps.some((s) => s.training && s.training.fraction > 0), { timeout: 30_000, interval: 5 }).toBe(true);
  session.cancelTokenizer();
  await expect(training).rejects.toThrow('tokenizer training cancelled');
  const after = session.snapshot();
  expect(after.training).toBeUndefined();
  expect(after.tokenizer).toEqual(first);
  // A new training may start at once.
  expect((await session.trainTokenizer('char', 4096, 'clm')).kind).toBe('char');
}, 120_000);
