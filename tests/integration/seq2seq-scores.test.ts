// BLEU and chrF while seq2seq trains: every evaluation's 'val' record in metrics.jsonl carries
// valBleu and valChrf (the names the registry entry charts), and the last one equals what
// scripts/seq2seq-eval.ts's functions compute from the checkpoint of that step: the same held-out
// pairs, translated greedily by the KV-cached decoder from the saved parameters one at a time
// (training translates them in batches: the equality also checks the batched decoder), scored
// directly with corpusBleu / corpusChrf.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { GpuContext } from '../../src/engine/gpu/device';
import { Seq2SeqDecoder } from '../../src/engine/generate/seq2seq-decoder';
import { corpusBleu } from '../../src/engine/metrics/bleu';
import { corpusChrf } from '../../src/engine/metrics/chrf';
import { buildParamLayout } from '../../src/engine/model/params';
import { findObjective, type TrainableObjective } from '../../src/engine/objectives/index.ts';
import { heldOutPairs, translateAll } from '../../src/engine/objectives/seq2seq-scores';
import { readMetrics } from '../../src/engine/runstore/metrics-log';
import { loadTokenizer } from '../../src/engine/tokenizers';
import { deserializeModel, readRunConfig, TOKENIZER_FILE, TrainingRun } from '../../src/engine/train/index.ts';
import { prepareData } from '../../src/engine/train/prepare';
import { removeTempRunsDirs, tempRunsDir, tinyOptions } from './helpers';

let ctx: GpuContext | undefined;
afterAll(() => {
  ctx?.destroy();
  removeTempRunsDirs();
});

test('each evaluation logs BLEU and chrF of held-out translations, equal to scoring the checkpoint directly', async () => {
  ctx = await GpuContext.open();
  const dir = tempRunsDir('seq2seq-scores');
  const words = ['cats', 'dogs', 'birds', 'fish'], zh = ['猫', '狗', '鸟', '鱼'];
  const rows = Array.from({ length: 120 }, (_, i) => [`I have ${i % 10} ${words[i % 4]}.`, `我有${i % 10}只${zh[i % 4]}。`]);
  const tsv = join(dir, 'pairs.tsv');
  writeFileSync(tsv, ['en\tzh', ...rows.map(([e, z]) => `${e}\t${z}`)].join('\n') + '\n');
  const options = tinyOptions(dir, {
    objective: 'seq2seq', corpus: [tsv], split: 'document', valFraction: 0.2, dedup: false, blockSize: 24, batchSize: 8,
    steps: 40, evalEvery: 20, checkpointEvery: 20, evalIters: 2, evalTranslations: 6, lr: 3e-3,
  });
  const summary = await new TrainingRun(ctx, { kind: 'new', options }).start();
  expect(summary.state).toBe('finished');
  const runDir = summary.runDir;
  const evals = readMetrics(join(runDir, 'metrics.jsonl')).filter((r) => r.split === 'val');
  expect(evals.map((r) => r.step)).toEqual([0, 20, 40]);
  const entry = findObjective('seq2seq') as TrainableObjective;
  const names = entry.charts.scores!.map((l) => l.name);
  expect(names).toEqual(['valBleu', 'valChrf']);
  for (const r of evals) for (const name of names) expect(Number.isFinite(r[name]), `${name} at ${r.step}`).toBe(true);
  console.log(`seq2seq scores per evaluation: ${evals.map((r) => `step ${r.step}: BLEU ${(r.valBleu as number).toFixed(2)}, chrF ${(r.valChrf as number).toFixed(2)}`).join('; ')}`);

  // The checkpoint of the last evaluation, scored the way scripts/seq2seq-eval.ts does.
  const config = readRunConfig(runDir);
  const model = config.pretrain_studio.model;
  const tok = await loadTokenizer(join(runDir, TOKENIZER_FILE));
  const data = await prepareData(config.pretrain_studio.options, { tokenizer: tok });
  const path = join(runDir, 'checkpoints', 'step-40', 'model.safetensors');
  const fwd = new Seq2SeqDecoder(ctx, model, deserializeModel(buildParamLayout(model), readFileSync(path), path).params);
  const { sources, references } = heldOutPairs(data.dataset, data.val, tok, 6);
  expect(sources).toHaveLength(6);
  const hyps = await translateAll(fwd, tok, sources, model.blockSize - 1);
  fwd.destroy();
  const last = evals.at(-1)!;
  expect(last.valBleu).toBe(corpusBleu(hyps, references, { tokenize: 'zh' }).score);
  expect(last.valChrf).toBe(corpusChrf(hyps, references));
  expect(last.valChrf).toBeGreaterThan(0);
  // A scorer that scored something else would not match: the copy-the-source baseline differs.
  expect(corpusChrf(sources, references)).not.toBe(last.valChrf);
});
