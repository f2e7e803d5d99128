// The built-in demo models (assets/demo-models) are reproducible from their script: each committed
// run's options are the configuration scripts/demo-models/config.ts records, and re-running that
// configuration for its first STEPS steps gives the training losses of the committed metrics.jsonl.
// Tolerance: LOSS_TOLERANCE absolute. On the same driver (lavapipe here) the engine is
// deterministic and the difference is 0 or a few 1e-7 (float summation order); another driver or
// GPU rounds differently, still far below the ~1e-2 that a batch drawn one step off, or a
// different learning rate or seed, moves the loss at step 10. Needs the shared datasets
// (../shared/datasets or PRETRAIN_STUDIO_DATASETS); skipped, saying so, without them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_MODELS, datasetsDir, type DemoPretrain } from '../../scripts/demo-models/config.ts';
import { demoCorpora, type DemoCorpora } from '../../scripts/demo-models/corpora.ts';
import { resolveTrainOptions } from '../../src/engine/config/train-config.ts';
import { GpuContext } from '../../src/engine/gpu/device';
import { DEMO_DIR, MANIFEST_FILE, type DemoManifest } from '../../src/engine/runstore/demo-runs.ts';
import { readMetrics } from '../../src/engine/runstore/metrics-log';
import { readRunConfig } from '../../src/engine/train/index.ts';
import { TrainingRun } from '../../src/engine/train/index.ts';
import { removeTempRunsDirs, ROOT, tempRunsDir } from './helpers';

const STEPS = 10;
const LOSS_TOLERANCE = 1e-3;
const haveData = ['tinyshakespeare.txt', 'hongloumeng.txt', 'cmn-eng.tsv'].every((f) => existsSync(join(datasetsDir(ROOT), f)));
const pretrained = DEMO_MODELS.filter((m): m is DemoPretrain => m.kind === 'train');
const committed = (name: string) => join(ROOT, DEMO_DIR, name);

test('every demo model is committed with its manifest entry, final checkpoint and no training data', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, DEMO_DIR, MANIFEST_FILE), 'utf8')) as DemoManifest;
  for (const m of DEMO_MODELS) {
    const entry = manifest.models.find((e) => e.name === m.name);
    expect(entry, `${m.name} in manifest.json`).toBeDefined();
    expect(entry!.options).toEqual(m.options);
    const dir = committed(m.name);
    expect(existsSync(join(dir, 'checkpoints', entry!.checkpoint, 'model.safetensors'))).toBe(true);
    expect(existsSync(join(dir, 'checkpoints', entry!.checkpoint, 'optimizer.safetensors'))).toBe(false);
    expect(existsSync(join(dir, 'data'))).toBe(false);
    expect(entry!.bytes).toBeLessThan(10e6);
  }
});

describe.skipIf(!haveData)(`demo models re-trained for ${STEPS} steps from the recorded configuration`, () => {
  let ctx: GpuContext;
  let corpora: DemoCorpora;
  beforeAll(async () => {
    ctx = await GpuContext.open();
    corpora = demoCorpora(ROOT);
  });
  afterAll(() => {
    ctx?.destroy();
    removeTempRunsDirs();
  });

  for (const m of pretrained) {
    test(m.name, async () => {
      const recorded = readRunConfig(committed(m.name)).pretrain_studio.options as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(m.options)) expect(recorded[k], `${m.name}: option ${k}`).toEqual(v);

      // The same options; no attention snapshots and a one-batch evaluation, which draw nothing from the training stream.
      const options = resolveTrainOptions(undefined, {
        ...m.options, corpus: [corpora[m.corpus]], runsDir: tempRunsDir(m.name), name: m.name, attentionSnapshots: false, evalIters: 1,
      });
      const run: TrainingRun = new TrainingRun(ctx, { kind: 'new', options }, {
        onEvent: (e) => { if (e.type === 'run.metrics' && e.records.some((r) => r.step >= STEPS)) run.stop(); },
      });
      const summary = await run.start();
      const want = readMetrics(join(committed(m.name), 'metrics.jsonl')).filter((r) => r.split === 'train' && r.step <= STEPS);
      expect(want.length).toBeGreaterThan(0);
      const got = new Map(summary.losses.map((l) => [l.step, l.loss]));
      let worst = 0;
      for (const r of want) {
        const diff = Math.abs(got.get(r.step)! - (r.loss as number));
        worst = Math.max(worst, diff);
      }
      console.log(`${m.name}: steps ${want.map((r) => r.step).join(', ')}, max |loss − committed| = ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(LOSS_TOLERANCE);
    }, 300_000);
  }
});

test.skipIf(haveData)('demo-model reproducibility needs the shared datasets', () => {
  console.warn(`skipped: ${datasetsDir(ROOT)} lacks tinyshakespeare.txt, hongloumeng.txt or cmn-eng.tsv (set PRETRAIN_STUDIO_DATASETS)`);
});
