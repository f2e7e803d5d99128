// Cancelling long preparation leaves nothing half-written: a run stopped while it imports its
// corpus, trains its tokenizer or builds its token shards ends 'stopped', its new folder is gone,
// and the cache holds only finished entries; a corpus import cancelled on the Data page (its entry
// removed) leaves nothing in the session's folder. No GPU: a run stopped before its first step
// never touches one.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { StudioEvent } from '../../../src/protocol/index.ts';
import type { GpuContext } from '../../../src/engine/gpu/device';
import { RunService } from '../../../src/engine/host/run-service/service';
import { CorpusSession } from '../../../src/engine/host/corpus/session.ts';

let root: string;
let corpus: string;

/** About `mb` MB of varied paragraphs (seeded syllable words), so every phase takes a while. */
function writeCorpus(path: string, mb: number): void {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'su', 'ta', 'ri', 'po', 'an', 'el', 'or', 'us', 'qu', 'ix', 'dre', 'mon'];
  let s = 7;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const parts: string[] = [];
  let size = 0;
  for (let p = 0; size < mb * 1e6; p++) {
    const words = Array.from({ length: 60 }, () => Array.from({ length: 1 + Math.floor(next() * 4) }, () => syllables[Math.floor(next() * syllables.length)]).join(''));
    const text = `${p} ${words.join(' ')}.\n\n`;
    parts.push(text);
    size += text.length;
  }
  writeFileSync(path, parts.join(''));
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cancel-prepare-'));
  corpus = join(root, 'big.txt');
  writeCorpus(corpus, 6);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every path under `dir`, relative. */
function walk(dir: string, base = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const rel = base ? `${base}/${name}` : name;
    return statSync(join(dir, name)).isDirectory() ? [rel + '/', ...walk(join(dir, name), rel)] : [rel];
  });
}

/** Nothing half-written in a runs folder's cache: no temporary folders, every entry complete. */
function expectCacheComplete(cacheDir: string): void {
  const paths = walk(cacheDir);
  expect(paths.filter((p) => p.includes('.tmp-')), 'temporary folders').toEqual([]);
  for (const p of paths) {
    const top = p.split('/')[0];
    if (/^corpus-[0-9a-f]+$/.test(top) && p === `${top}/`) expect(existsSync(join(cacheDir, top, 'manifest.json')), p).toBe(true);
    if (p.startsWith('tokenizers/') && p.endsWith('.json')) expect(() => JSON.parse(readFileSync(join(cacheDir, p), 'utf8')), p).not.toThrow();
    if (/^shards\/tokens-[0-9a-f]+\/$/.test(p)) expect(existsSync(join(cacheDir, p, 'meta.json')), p).toBe(true);
  }
}

// Any use of the context throws ('then' answers: the service awaits it).
const noGpu = async (): Promise<GpuContext> => new Proxy({}, {
  get: (_, key) => { if (key === 'then') return undefined; throw new Error(`a run stopped while preparing must not use the GPU (${String(key)})`); },
}) as GpuContext;

for (const phase of ['import', 'tokenizer', 'shards'] as const) {
  test(`a run stopped while ${phase === 'import' ? 'importing' : phase === 'tokenizer' ? 'training its tokenizer' : 'building shards'} leaves no folder and no half-written cache`, async () => {
    const runsDir = join(root, `runs-${phase}`);
    const events: StudioEvent[] = [];
    let stopped: number | undefined;
    let service: RunService | null = null;
    service = new RunService({
      runsDir, assetsDir: undefined, gpu: noGpu,
      emit: (e) => {
        events.push(e);
        // Stop mid-phase: once it has reported some of it, not all.
        if (stopped === undefined && e.type === 'run.prepare' && e.phase === phase && e.fraction !== undefined && e.fraction > 0 && e.fraction < 1) {
          try { service?.stop(e.runId); stopped = e.fraction; } catch { /* not the active run yet: the next update */ }
        }
      },
    });
    const { runDir } = await service.start({ options: { corpus: [corpus], tokenizer: 'bpe', vocabSize: 3000, name: `cancel-${phase}`, steps: 10, nLayer: 1, nHead: 2, nEmbd: 32, blockSize: 32, batchSize: 4 }, attention: null });
    expect(existsSync(runDir)).toBe(true);
    const end = Date.now() + 240_000;
    while (!['stopped', 'failed', 'finished'].includes(service.status().active?.state ?? '')) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
    const active = service.status().active!;
    expect(stopped, `stopped during ${phase}`).toBeDefined();
    expect(active.state).toBe('stopped');
    expect(active.message).toMatch(/stopped while preparing data; its folder .* was removed/);
    expect(existsSync(runDir)).toBe(false);
    // No phase after the one stopped reported anything, and it never reached its end.
    const phases = events.flatMap((e) => (e.type === 'run.prepare' ? [e.phase] : []));
    expect(phases.at(-1)).toBe(phase);
    expect(events.some((e) => e.type === 'run.prepare' && e.phase === phase && e.fraction === 1)).toBe(false);
    expectCacheComplete(join(runsDir, '.cache'));
    // The runs list does not show a half-made run.
    expect(service.list().runs.filter((r) => !r.demo)).toEqual([]);
  }, 300_000);
}

test('a corpus import cancelled on the Data page (its entry removed) stops and leaves nothing', async () => {
  const workDir = join(root, 'session');
  // Watch the session's import folder: an import that ran to its end would publish its folder
  // there (a rename to the entry's id), even if it were removed right after.
  const importDir = join(workDir, 'corpus');
  mkdirSync(importDir, { recursive: true });
  const names: string[] = [];
  const watcher = watch(importDir, (_event, name) => { if (name) names.push(String(name)); });
  let session: CorpusSession | null = null;
  const removing: Promise<void>[] = [];
  const statuses: string[] = [];
  let id = '';
  session = new CorpusSession((e) => {
    if (e.type !== 'corpus.changed') return;
    const f = e.snapshot.files[0];
    if (f) statuses.push(f.status);
    if (f?.status === 'importing' && f.progress !== undefined && f.progress > 0 && f.progress < 1 && removing.length === 0) {
      id = f.id;
      removing.push(session!.remove(f.id));
    }
  }, undefined, workDir);
  try {
    const { started } = session.add([corpus], false);
    await Promise.all(started);
    expect(removing.length, 'removed while importing').toBe(1);
    await removing[0];
    await new Promise((r) => setTimeout(r, 100)); // let the last watch events arrive
  } finally {
    watcher.close();
  }
  expect(session.snapshot().files).toEqual([]);
  expect(statuses).not.toContain('ok');
  // It stopped: its folder was never published; only its temporary folder came and went.
  expect(names.length).toBeGreaterThan(0);
  expect(names).not.toContain(id);
  expect(walk(importDir)).toEqual([]);
}, 120_000);
