// Frozen prefixes (TrainOptions.frozen) reach the trainer's layout: a step leaves the frozen
// tensors bit-identical in the checkpoint and trains the others; a prefix that matches no tensor
// is refused before any data is read, naming it.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelConfigFor, paramLayoutFor, validateTrainOptions } from '../../src/engine/config/train-config';
import { allParts } from '../../src/engine/model/params';
import { GpuContext } from '../../src/engine/gpu/device';
import { parseSafetensors } from '../../src/engine/io/safetensors';
import { readCheckpoint } from '../../src/engine/runstore/checkpoints';
import { TrainingRun } from '../../src/engine/train/index.ts';
import { removeTempRunsDirs, tempRunsDir, tinyOptions } from './helpers';

let ctx: GpuContext;
const readTokenizerSize = (runDir: string): number => (JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as { pretrain_studio: { model: { vocabSize: number } } }).pretrain_studio.model.vocabSize;
beforeAll(async () => { ctx = await GpuContext.open(); });
afterAll(() => { ctx?.destroy(); removeTempRunsDirs(); });

test('a one-step run with a frozen prefix leaves those tensors bit-identical in the checkpoint', async () => {
  const options = tinyOptions(tempRunsDir('frozen'), { name: 'frozen', steps: 1, checkpointEvery: 1, evalEvery: 1, warmupSteps: 0, frozen: ['transformer.h.0.', 'transformer.wpe.'] });
  let initial: Float32Array | undefined;
  const run = new TrainingRun(ctx, { kind: 'new', options }, { onEvent: (e) => { if (e.type === 'run.started') initial = Float32Array.from(e.params); } });
  const summary = await run.start();
  expect(summary.step).toBe(1);
  const layout = paramLayoutFor(run.options, modelConfigFor(run.options, readTokenizerSize(summary.runDir)));
  const before = new Map(allParts(layout).map((p) => [p.name, { data: initial!.subarray(p.offset, p.offset + p.numel) }]));
  const after = parseSafetensors(readCheckpoint(summary.runDir, 1).model, 'model.safetensors').tensors;
  const frozen = [...after.keys()].filter((n) => n.startsWith('transformer.h.0.') || n.startsWith('transformer.wpe.'));
  const trained = [...after.keys()].filter((n) => !frozen.includes(n));
  expect(frozen.length).toBeGreaterThan(3);
  const bits = (t: { data: ArrayLike<number> }) => new Uint32Array(Float32Array.from(t.data).buffer);
  for (const n of frozen) expect(bits(after.get(n)!), n).toEqual(bits(before.get(n)!));
  expect(trained.some((n) => bits(after.get(n)!).some((b, i) => b !== bits(before.get(n)!)[i]))).toBe(true);
}, 120_000);

test('a frozen prefix that matches no tensor is refused, naming it', () => {
  expect(() => validateTrainOptions(tinyOptions('unused', { frozen: ['bert.embeddings.'] }))).toThrow(/frozen: .*'bert\.embeddings\.'.*match no parameter.*transformer\./);
});
