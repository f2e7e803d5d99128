// Attention snapshots written by the training loop itself (train/attention-probes.ts), as a CLI
// run gets them: a short TrainingRun leaves a snapshot at its start and at each checkpoint, of
// the corpus-language defaults or the user's own sentences, and a snapshot equals a fresh
// inspection (what attention.inspect runs) of the same checkpoint.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GpuContext } from '../../src/engine/gpu/device';
import { RunFolders } from '../../src/engine/host/run-service/run-folders';
import { defaultProbes, headStats, listSnapshots, readProbeSettings, readSnapshot, writeProbeSettings } from '../../src/engine/inspect';
import { listCheckpoints } from '../../src/engine/runstore/checkpoints';
import { TrainingRun, type RunSummary, type TrainerEvent } from '../../src/engine/train/index.ts';
import { removeTempRunsDirs, SAMPLE_EN, startCli, tempRunsDir, tinyOptions } from './helpers';

let ctx: GpuContext;
let runsDir: string;
let summary: RunSummary;
const events: TrainerEvent[] = [];

beforeAll(async () => {
  ctx = await GpuContext.open();
  runsDir = tempRunsDir('probes');
  const options = tinyOptions(runsDir, { name: 'probes', steps: 20, checkpointEvery: 10, evalEvery: 20 });
  summary = await new TrainingRun(ctx, { kind: 'new', options }, { onEvent: (e) => events.push(e) }).start();
}, 120_000);

afterAll(() => {
  ctx?.destroy();
  removeTempRunsDirs();
});

describe('a run without attention settings (the CLI)', () => {
  test('saves a snapshot at its start and at each checkpoint', () => {
    expect(summary.state).toBe('finished');
    expect(listCheckpoints(summary.runDir)).toEqual([10, 20]);
    expect(listSnapshots(summary.runDir)).toEqual([0, 10, 20]);
    const said = events.filter((e) => e.type === 'run.attention').map((e) => e.step);
    expect(said).toEqual([0, 10, 20]);
  });

  test('its probes are the English defaults for an English corpus, recorded with the cadence', () => {
    const settings = readProbeSettings(summary.runDir);
    expect(settings).toEqual({ every: 10, sentences: defaultProbes({ han: 0, latin: 1, otherLetters: 0 }) });
    expect(settings!.sentences.every((s) => /^[\x20-\x7e]+$/.test(s))).toBe(true);
    const snap = readSnapshot(summary.runDir, 10);
    expect(snap.sentences.map((s) => s.text)).toEqual(settings!.sentences);
    expect(snap.sentences[0].tokens.join('')).toBe(settings!.sentences[0]); // a character tokenizer
  });

  test('a snapshot equals attention.inspect on the same checkpoint', async () => {
    const folders = new RunFolders(runsDir, async () => ctx, () => null);
    for (const step of [10, 20]) {
      const saved = readSnapshot(summary.runDir, step);
      const fresh = await folders.inspectCheckpoint(summary.runDir, step, saved.sentences.map((s) => s.text));
      expect(fresh.step).toBe(step);
      saved.sentences.forEach((s, i) => {
        expect(fresh.sentences[i].ids).toEqual(s.ids);
        expect(s.layers).toHaveLength(1);
        expect(Array.from(s.layers[0])).toEqual(Array.from(fresh.sentences[i].layers[0]));
      });
    }
    // Training changed the pattern between the start and the end.
    expect(Array.from(readSnapshot(summary.runDir, 0).sentences[0].layers[0])).not.toEqual(Array.from(readSnapshot(summary.runDir, 20).sentences[0].layers[0]));
  });
});

describe('head summary and compare on the run folder (what attention.heads and attention.compare answer)', () => {
  test('heads: one row per layer and head over all probes, from the saved maps', () => {
    const folders = new RunFolders(runsDir, async () => ctx, () => null);
    const result = folders.heads(summary.runDir, 20);
    const snap = readSnapshot(summary.runDir, 20);
    expect(result).toMatchObject({ step: 20, nLayer: 1, nHead: 2, kind: 'decoder self', sentences: snap.sentences.map((s) => s.text) });
    expect(result.heads).toEqual(headStats(snap.sentences, 1, 2));
    for (const h of result.heads) {
      expect(h.cls).toBeNull(); // a character GPT has no [CLS]
      expect(h.entropy).toBeGreaterThan(0);
      expect(h.first).toBeGreaterThan(0);
    }
  });

  test('compare: two checkpoints on one probe; the difference is b − a of the two inspections', async () => {
    const folders = new RunFolders(runsDir, async () => ctx, () => null);
    const sentence = readProbeSettings(summary.runDir)!.sentences[0];
    const out = await folders.compare({ kind: 'checkpoint', runDir: summary.runDir, step: 10 }, { kind: 'snapshot', runDir: summary.runDir, step: 20 }, sentence);
    const a = readSnapshot(summary.runDir, 10).sentences[0].layers[0];
    const b = readSnapshot(summary.runDir, 20).sentences[0].layers[0];
    expect(Array.from(out.a.sentences[0].layers[0])).toEqual(Array.from(a));
    expect(Array.from(out.b.sentences[0].layers[0])).toEqual(Array.from(b));
    expect(Array.from(out.diff[0])).toEqual(Array.from(b, (x, k) => Math.fround(x - a[k])));
    expect(out.diff[0].some((d) => d !== 0)).toBe(true);
    await expect(folders.compare({ kind: 'snapshot', runDir: summary.runDir, step: 10 }, { kind: 'snapshot', runDir: summary.runDir, step: 20 }, 'not a probe')).rejects.toThrow(/has no probe "not a probe"/);
  });
});

describe('npm run train', () => {
  test('the CLI saves snapshots of --attentionSentences at each checkpoint and says so', async () => {
    const run = startCli('train', [
      '--corpus', SAMPLE_EN, '--runsDir', runsDir, '--name', 'cli', '--nLayer', '1', '--nHead', '2', '--nEmbd', '32', '--blockSize', '32',
      '--batchSize', '4', '--split', 'tail', '--steps', '10', '--evalEvery', '10', '--evalIters', '2', '--checkpointEvery', '5', '--sampleTokens', '0',
      '--attentionSentences', 'the cat', 'a mat',
    ]);
    expect(await run.exited, run.output()).toBe(0);
    const dir = join(runsDir, 'cli');
    for (const step of [0, 5, 10]) expect(run.output()).toContain(`attention snapshot ${join(dir, 'attention', `step-${step}.safetensors`)}`);
    expect(listSnapshots(dir)).toEqual([0, 5, 10]);
    expect(readSnapshot(dir, 10).sentences.map((s) => s.text)).toEqual(['the cat', 'a mat']);
  }, 120_000);
});

describe('probe options', () => {
  test("the user's own sentences; attentionSnapshots false writes none", async () => {
    const own = await new TrainingRun(ctx, { kind: 'new', options: tinyOptions(runsDir, { name: 'own', steps: 5, checkpointEvery: 5, evalEvery: 5, attentionSentences: ['the mat', 'a cat'] }) }).start();
    expect(listSnapshots(own.runDir)).toEqual([0, 5]);
    expect(readSnapshot(own.runDir, 5).sentences.map((s) => s.text)).toEqual(['the mat', 'a cat']);
    expect(readProbeSettings(own.runDir)?.sentences).toEqual(['the mat', 'a cat']);

    const off = await new TrainingRun(ctx, { kind: 'new', options: tinyOptions(runsDir, { name: 'off', steps: 5, checkpointEvery: 5, evalEvery: 5, attentionSnapshots: false }) }).start();
    expect(listSnapshots(off.runDir)).toEqual([]);
    expect(readProbeSettings(off.runDir)).toBeNull();
  }, 120_000);

  test('resuming does not redo the starting snapshot and adds the new checkpoints, with the probes the run already has', async () => {
    // A folder from before the option: its probes are only in attention/settings.json.
    writeProbeSettings(summary.runDir, { every: 10, sentences: ['the cat sat'] });
    const resumed = await new TrainingRun(ctx, { kind: 'resume', runDir: summary.runDir, steps: 30 }).start();
    expect(resumed.step).toBe(30);
    expect(listSnapshots(summary.runDir)).toEqual([0, 10, 20, 30]);
    expect(readSnapshot(summary.runDir, 30).sentences.map((s) => s.text)).toEqual(['the cat sat']);
  }, 120_000);

  test('a T5 span-corruption run: encoder-decoder snapshots framed as T5 frames its rows (source [SEP])', async () => {
    const t5 = await new TrainingRun(ctx, { kind: 'new', options: tinyOptions(runsDir, { name: 't5', objective: 't5-span', steps: 4, checkpointEvery: 4, evalEvery: 4, attentionSentences: ['the cat'] }) }).start();
    expect(listSnapshots(t5.runDir)).toEqual([0, 4]);
    const s = readSnapshot(t5.runDir, 4).sentences[0];
    expect(s.tokens.join('')).toBe('the cat[SEP]');
    expect(s.target!.tokens.join('')).toBe('[CLS]the cat');
    expect(s.cross![0].length).toBe(2 * s.target!.ids.length * s.ids.length);
  }, 120_000);

  test('compare two runs with the same tokenizer; runs that read the sentence differently are refused', async () => {
    const folders = new RunFolders(runsDir, async () => ctx, () => null);
    const own = join(runsDir, 'own');
    const out = await folders.compare({ kind: 'checkpoint', runDir: summary.runDir, step: 20 }, { kind: 'checkpoint', runDir: own, step: 5 }, 'the cat');
    const a = await folders.inspectCheckpoint(summary.runDir, 20, ['the cat']);
    const b = await folders.inspectCheckpoint(own, 5, ['the cat']);
    expect(Array.from(out.diff[0])).toEqual(Array.from(b.sentences[0].layers[0], (x, k) => Math.fround(x - a.sentences[0].layers[0][k])));
    await expect(folders.compare({ kind: 'checkpoint', runDir: own, step: 5 }, { kind: 'checkpoint', runDir: join(runsDir, 't5'), step: 4 }, 'the cat')).rejects.toThrow(/tokenized differently/);
  }, 60_000);

  test('defaults follow the corpus: Chinese for Han text, one of each for a mix', () => {
    expect(defaultProbes({ han: 90, latin: 10, otherLetters: 0 }).join('')).toMatch(/^[\u4e00-\u9fff]+$/);
    expect(defaultProbes({ han: 50, latin: 50, otherLetters: 0 })).toEqual(['猫在垫子上睡觉', 'The cat sat on the mat']);
    expect(defaultProbes({ han: 0, latin: 0, otherLetters: 0 })).toEqual(['猫在垫子上睡觉', 'The cat sat on the mat']);
  });
});
