// run.import through the host dispatcher: the Hugging Face BERT fixture becomes a run in the runs
// directory, with the same weights as the CLI's import, progress events that rise to 1, and the
// run listed as 'imported' (not resumable); bad names and folders are refused with the reason.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { importHfCheckpoint } from '../../../src/engine/hf-import';
import { HostContext } from '../../../src/engine/host/context.ts';
import { dispatch } from '../../../src/engine/host/dispatch.ts';
import type { StudioEvent } from '../../../src/protocol/index.ts';

const FIX = new URL('../../fixtures/hf/', import.meta.url).pathname;
const events: StudioEvent[] = [];
let host: HostContext, runsDir: string, saved: string | undefined;
beforeAll(() => {
  runsDir = mkdtempSync(join(tmpdir(), 'run-import-'));
  saved = process.env.PRETRAIN_STUDIO_RUNS;
  process.env.PRETRAIN_STUDIO_RUNS = runsDir;
  host = new HostContext({ assetsDir: undefined }, (e) => events.push(e));
});
afterAll(async () => {
  await host.close();
  if (saved === undefined) delete process.env.PRETRAIN_STUDIO_RUNS;
  else process.env.PRETRAIN_STUDIO_RUNS = saved;
  rmSync(runsDir, { recursive: true, force: true });
});

let n = 0;
const request = (type: string, params: unknown) => dispatch({ type, requestId: `i${++n}`, params }, host);

test('a BERT folder becomes a listed, imported run with the CLI import\'s weights, and progress reaches 1', async () => {
  const reply = await request('run.import', { importId: 'a', from: join(FIX, 'bert'), name: 'bert' });
  if (!reply.ok) throw new Error(reply.error.message);
  const r = reply.result as { runDir: string; architecture: string; parameters: number };
  expect(r.runDir).toBe(join(runsDir, 'bert'));
  expect(r.architecture).toBe('BertForMaskedLM');

  const cli = join(mkdtempSync(join(tmpdir(), 'run-import-cli-')), 'bert');
  const s = await importHfCheckpoint({ from: join(FIX, 'bert'), into: cli });
  expect(s.parameters).toBe(r.parameters);
  const weights = (dir: string) => readFileSync(join(dir, 'checkpoints', 'step-0', 'model.safetensors'));
  expect(Buffer.compare(weights(r.runDir), weights(cli))).toBe(0);
  rmSync(cli, { recursive: true, force: true });

  const progress = events.flatMap((e) => (e.type === 'import.progress' && e.importId === 'a' ? [e.fraction] : []));
  expect(progress.length).toBeGreaterThan(0);
  expect(progress.at(-1)).toBe(1);
  expect([...progress].sort((x, y) => x - y)).toEqual(progress);

  const list = await request('run.list', {});
  if (!list.ok) throw new Error(list.error.message);
  const entry = (list.result as { runs: { runDir: string; status: string; totalSteps: number }[] }).runs.find((e) => e.runDir === r.runDir);
  expect(entry?.status).toBe('imported');
  expect(entry?.totalSteps).toBe(0);
});

test('refusals: a name with a path in it, a folder without config.json, a name already taken', async () => {
  const bad = await request('run.import', { importId: 'b', from: join(FIX, 'bert'), name: '../escape' });
  expect(bad.ok).toBe(false);
  if (!bad.ok) expect(bad.error.message).toMatch(/a folder name, without \/ or \\/);

  const empty = mkdtempSync(join(tmpdir(), 'run-import-empty-'));
  const none = await request('run.import', { importId: 'c', from: empty });
  expect(none.ok).toBe(false);
  if (!none.ok) expect(none.error.message).toContain(`${empty}: no config.json`);
  rmSync(empty, { recursive: true, force: true });

  const taken = await request('run.import', { importId: 'd', from: join(FIX, 'bert'), name: 'bert' });
  expect(taken.ok).toBe(false);
  if (!taken.ok) expect(taken.error.message).toContain(`${join(runsDir, 'bert')} already holds a run`);
});
