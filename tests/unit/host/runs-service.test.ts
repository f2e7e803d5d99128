// The host's run service on the real engine (lavapipe): a tiny run on the built-in sample corpus
// with attention snapshots, then the run folder as the runs list, history, snapshots and
// inspection see it. Pause/resume/stop are exercised on the same run.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { StudioEvent } from '../../../src/protocol/index.ts';
import { GpuContext } from '../../../src/engine/gpu/device';
import { RunService } from '../../../src/engine/host/run-service/service';

let ctx: GpuContext;
let runsDir: string;
let service: RunService;
const events: StudioEvent[] = [];

beforeAll(async () => {
  ctx = await GpuContext.open();
  runsDir = mkdtempSync(join(tmpdir(), 'runs-service-'));
  service = new RunService({ runsDir, assetsDir: resolve('assets'), gpu: async () => ctx, emit: (e) => events.push(e) });
});
afterAll(() => {
  ctx?.destroy();
  rmSync(runsDir, { recursive: true, force: true });
});

async function until(check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const TINY = { nLayer: 1, nHead: 2, nEmbd: 32, blockSize: 32, batchSize: 4, steps: 20, evalEvery: 10, evalIters: 2, logEvery: 1, sampleTokens: 16, warmupSteps: 2, name: 'tiny' };

test('a tiny run trains, pauses, resumes, saves attention snapshots and is listed', async () => {
  const { runId, runDir } = await service.start({ preset: 'tiny', options: TINY, attention: { every: 10, sentences: ['猫在垫子上睡觉', 'The cat sat on the mat'] } });
  expect(runDir).toBe(join(runsDir, 'tiny'));
  await expect(service.start({ options: TINY })).rejects.toThrow(/already active/);

  await until(() => service.status().active?.state === 'running');
  service.pause(runId);
  await until(() => service.status().active?.state === 'paused');
  const pausedAt = service.status().active!.progress?.step ?? 0;
  await new Promise((r) => setTimeout(r, 300));
  expect(service.status().active!.progress?.step ?? 0).toBe(pausedAt);
  await service.resume({ runId });
  await until(() => service.status().active?.state === 'finished', 120_000);

  const status = service.status().active!;
  expect(status.progress?.step).toBe(20);
  expect(status.samples.map((s) => s.step)).toEqual([0, 10, 20]);
  await until(() => events.filter((e) => e.type === 'run.attention').length === 3);
  expect(status.attentionSteps.length).toBeGreaterThanOrEqual(2);

  // Metrics came batched: fewer run.metrics events than train records.
  const metricEvents = events.filter((e) => e.type === 'run.metrics');
  const records = metricEvents.flatMap((e) => (e.type === 'run.metrics' ? e.records : []));
  expect(records.map((r) => r.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  expect(metricEvents.length).toBeLessThan(records.length);

  // History (paged) is the whole metrics.jsonl: 20 train + 3 val records.
  const page1 = service.history(runDir, 0, 10);
  const page2 = service.history(runDir, page1.next!, 100);
  expect(page1.total).toBe(23);
  expect(page2.next).toBeNull();
  expect([...page1.records, ...page2.records].filter((r) => r.split === 'val').map((r) => r.step)).toEqual([0, 10, 20]);

  // The user's runs first; the built-in demo models (assets/demo-models) after them, read-only.
  const all = service.list().runs;
  const runs = all.filter((r) => !r.demo);
  expect(runs).toHaveLength(1);
  expect(all.indexOf(runs[0])).toBe(0);
  const demos = all.filter((r) => r.demo);
  const demoFolders = readdirSync(resolve('assets/demo-models'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  expect(demos.length).toBeGreaterThan(0);
  expect(demos.map((r) => r.name).sort()).toEqual(demoFolders.sort());
  for (const demo of demos) {
    expect(() => service.delete(demo.runDir)).toThrow(/read-only/);
    await expect(service.resume({ runDir: demo.runDir })).rejects.toThrow(/read-only/);
    expect(service.open(demo.runDir).run.name).toBe(demo.name);
  }
  expect(runs[0]).toMatchObject({ name: 'tiny', status: 'finished', step: 20, totalSteps: 20, objective: 'clm', attentionSteps: [0, 10, 20] });
  expect(runs[0].bestValLoss).toBeGreaterThan(0);

  // A saved snapshot equals a fresh inspection of the same checkpoint; rows are causal distributions.
  const saved = service.snapshot(runDir, 20);
  const fresh = await service.inspect({ kind: 'checkpoint', runDir, step: 20 }, ['猫在垫子上睡觉', 'The cat sat on the mat']);
  expect(saved.sentences[0].tokens).toEqual(fresh.sentences[0].tokens);
  expect(saved.sentences[0].tokens.join('')).toBe('猫在垫子上睡觉');
  for (let s = 0; s < 2; s++) {
    const t = fresh.sentences[s].ids.length;
    const probs = fresh.sentences[s].layers[0];
    expect(probs.length).toBe(2 * t * t);
    expect(Array.from(saved.sentences[s].layers[0])).toEqual(Array.from(probs));
    for (let h = 0; h < 2; h++) {
      for (let i = 0; i < t; i++) {
        let sum = 0;
        for (let j = 0; j < t; j++) {
          const p = probs[h * t * t + i * t + j];
          if (j > i) expect(p).toBe(0);
          sum += p;
        }
        expect(sum).toBeCloseTo(1, 5);
      }
    }
  }
  // The pattern changed while it trained.
  const first = service.snapshot(runDir, 0).sentences[1].layers[0];
  expect(Array.from(first)).not.toEqual(Array.from(saved.sentences[1].layers[0]));
  // "live" after the run: its final weights.
  const live = await service.inspect({ kind: 'live' }, ['The cat sat on the mat']);
  expect(live.step).toBe(20);
  expect(Array.from(live.sentences[0].layers[0])).toEqual(Array.from(saved.sentences[1].layers[0]));

  // Resume past the end with more steps, stop it, delete it.
  const resumed = await service.resume({ runDir, steps: 30 });
  await until(() => ['running', 'finished'].includes(service.status().active?.state ?? ''));
  service.stop(resumed.runId);
  await until(() => ['stopped', 'finished'].includes(service.status().active?.state ?? ''), 60_000);
  await until(() => service.list().runs[0]?.status !== 'running');
  expect(() => service.delete(join(runsDir, '..'))).toThrow(/not a run folder/);
  service.delete(runDir);
  expect(existsSync(runDir)).toBe(false);
}, 240_000);

test('an MLM (BERT) run saves encoder self-attention snapshots with [CLS] and [SEP]', async () => {
  const options = { ...TINY, objective: 'mlm+nsp', tokenizer: 'wordpiece' as const, vocabSize: 600, steps: 10, evalEvery: 10, name: 'bert' };
  const { runDir } = await service.start({ preset: 'tiny', options, attention: { every: 5, sentences: ['猫在垫子上睡觉'] } });
  await until(() => ['finished', 'failed'].includes(service.status().active?.state ?? ''), 120_000);
  expect(service.status().active?.message ?? '').toBe('');
  expect(service.status().active?.state).toBe('finished');
  await until(() => service.snapshots(runDir).steps.length === 3);
  const snap = service.snapshot(runDir, 10);
  expect(snap.kind).toBe('encoder self');
  const tokens = snap.sentences[0].tokens;
  expect(tokens[0]).toBe('[CLS]');
  expect(tokens[tokens.length - 1]).toBe('[SEP]');
  expect(tokens.slice(1, -1).join('')).toBe('猫在垫子上睡觉'); // one token per Chinese character
  const t = tokens.length;
  const probs = snap.sentences[0].layers[0];
  expect(probs[t - 1]).toBeGreaterThan(0); // bidirectional: [CLS] attends to [SEP]
  for (let i = 0; i < t; i++) {
    let sum = 0;
    for (let j = 0; j < t; j++) sum += probs[i * t + j];
    expect(sum).toBeCloseTo(1, 5);
  }
}, 180_000);


test('a BART run saves encoder self, decoder self and cross-attention snapshots; live inspection reads pairs', async () => {
  events.length = 0;
  const options = { ...TINY, objective: 'bart', steps: 10, evalEvery: 10, name: 'bart' };
  const { runDir } = await service.start({ preset: 'tiny', options, attention: { every: 5, sentences: ['The cat sat on the mat'] } });
  await until(() => ['finished', 'failed'].includes(service.status().active?.state ?? ''), 120_000);
  expect(service.status().active).toMatchObject({ state: 'finished', objective: 'bart', model: { kind: 'encoder-decoder' } });
  const warnings = events.filter((e) => e.type === 'host.log' && e.level === 'warn').map((e) => (e as { message: string }).message);
  expect(warnings).toEqual([]);
  await until(() => service.snapshots(runDir).steps.length === 3);
  expect(service.snapshots(runDir).steps).toEqual([0, 5, 10]);
  const snap = service.snapshot(runDir, 10);
  expect(snap.kind).toBe('encoder-decoder');
  const s = snap.sentences[0];
  // Framed as training frames a row: encoder [CLS] source [SEP], decoder [CLS] target (the sentence itself).
  expect(s.tokens[0]).toBe('[CLS]');
  expect(s.tokens[s.tokens.length - 1]).toBe('[SEP]');
  expect(s.tokens.slice(1, -1).join('')).toBe('The cat sat on the mat');
  expect(s.target!.tokens.join('')).toBe('[CLS]The cat sat on the mat');
  const ts = s.ids.length, tt = s.target!.ids.length;
  expect(s.layers[0].length).toBe(2 * ts * ts);
  expect(s.decoder![0].length).toBe(2 * tt * tt);
  expect(s.cross![0].length).toBe(2 * tt * ts);
  // The live model (the final weights) gives the saved maps; a pair with " => " has its own target.
  const live = await service.inspect({ kind: 'live' }, ['The cat sat on the mat', 'The cat => a cat']);
  expect(Array.from(live.sentences[0].cross![0])).toEqual(Array.from(s.cross![0]));
  expect(live.sentences[1].target!.tokens.join('')).toBe('[CLS]a cat');
  expect(service.heads(runDir, 10).heads).toHaveLength(2);
  // The weights never travel with the events the UI gets.
  for (const e of events) if (e.type === 'run.started' || e.type === 'run.checkpoint') expect('params' in e).toBe(false);
  expect(service.list().runs.find((r) => r.name === 'bart')).toMatchObject({ objective: 'bart', status: 'finished' });
  // Reconstructions of the fixed corrupted probes, at each evaluation (steps 0 and 10), greedy.
  const probes = readFileSync(join(runDir, 'probes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; probes: { source: string; output: string }[] });
  expect(probes.map((p) => p.step)).toEqual([0, 10]);
  expect(probes[1].probes.length).toBeGreaterThan(0);
  for (const p of probes[1].probes) expect(p.source).toMatch(/\[MASK\]/);
}, 180_000);
