// Held-out accuracy of BERT runs, for the README's numbers: `node --import tsx --import
// ./scripts/register-wgsl.mjs scripts/bert-eval.ts [--batches 50] runs/<a> runs/<b> …`.
// Per run: the latest checkpoint on validation batches drawn by the run's own collator (its
// masking and NSP settings, a fixed seed), masked-token accuracy next to the unigram baseline
// (always answer the training split's most frequent ordinary token), and NSP accuracy next to the
// share of the majority label (50% by construction).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { batchRng, valueAt } from '../src/engine/data/index.ts';
import { Recorder } from '../src/engine/gpu/kernel.ts';
import { Tensor } from '../src/engine/gpu/tensor.ts';
import { BertGraph } from '../src/engine/model/bert.ts';
import { buildParamLayout } from '../src/engine/model/params.ts';
import { trainableObjective } from '../src/engine/objectives/index.ts';
import { IGNORE_INDEX } from '../src/engine/ops/crossentropy.ts';
import { latestCheckpoint } from '../src/engine/runstore/checkpoints.ts';
import { loadTokenizer } from '../src/engine/tokenizers/index.ts';
import { deserializeModel, readRunConfig, TOKENIZER_FILE } from '../src/engine/train/index.ts';
import { prepareData } from '../src/engine/train/prepare.ts';
import { openGpu, runWithDriver } from '../src/cli/driver.ts';

const args = process.argv.slice(2);
const at = args.indexOf('--batches');
const batches = at >= 0 ? Number(args.splice(at, 2)[1]) : 50;
await runWithDriver('auto');
const ctx = await openGpu(() => {});
for (const runDir of args) {
  const config = readRunConfig(runDir);
  const o = config.pretrain_studio.options;
  const model = config.pretrain_studio.model;
  const tok = await loadTokenizer(join(runDir, TOKENIZER_FILE));
  const data = await prepareData(o, { tokenizer: tok });
  const collator = trainableObjective(o.objective).collator(tok, o);
  const step = latestCheckpoint(runDir)!;
  const layout = buildParamLayout(model);
  const path = join(runDir, 'checkpoints', `step-${step}`, 'model.safetensors');
  const params = Tensor.empty(ctx, [layout.totalFloats], 'f32', 'eval.params');
  params.write(deserializeModel(layout, readFileSync(path), path).params);
  const B = o.batchSize, T = o.blockSize;
  const graph = new BertGraph(ctx, layout, params, params, { batchSize: B, seqLen: T });
  // The unigram answer: the most frequent ordinary token of the training split.
  const counts = new Float64Array(tok.vocabSize);
  for (let r = 0; r < data.train.starts.length; r++) for (const id of data.dataset.tokens.subarray(valueAt(data.train.starts, r), valueAt(data.train.ends, r))) counts[id]++;
  for (let id = 0; id < tok.vocabSize; id++) if (tok.isSpecial(id)) counts[id] = 0;
  const top = counts.indexOf(Math.max(...counts));
  let mlmCorrect = 0, mlmCount = 0, unigram = 0, nspCorrect = 0, nspCount = 0, isNext = 0;
  for (let k = 0; k < batches; k++) {
    const b = collator.batch(data.dataset, data.val, B, T, batchRng(424242, k, 'val'));
    graph.ids.write(b.input_ids); graph.types.write(b.token_type_ids); graph.kvLen.write(b.kvLen);
    graph.mlmLabels.write(b.mlm_labels); graph.nspLabels.write(b.nsp_labels);
    const rec = new Recorder(ctx);
    graph.forward(rec, false);
    await rec.run();
    rec.destroy();
    const [mlm, nsp] = await Promise.all([graph.mlmStats.read(), graph.nspStats.read()]);
    mlmCount += mlm[1]; mlmCorrect += mlm[2];
    if (model.pooler) { nspCount += nsp[1]; nspCorrect += nsp[2]; }
    for (const l of b.mlm_labels) if (l !== IGNORE_INDEX && l === top) unigram++;
    for (const l of b.nsp_labels) if (l === 0) isNext++;
  }
  graph.destroy(); params.destroy();
  const pct = (a: number, n: number) => `${((100 * a) / n).toFixed(1)}%`;
  console.log(`${runDir} step-${step} (${o.objective}, wholeWordMask ${o.wholeWordMask}): ` +
    `masked-token accuracy ${pct(mlmCorrect, mlmCount)} vs unigram '${tok.idToToken(top)}' ${pct(unigram, mlmCount)} over ${mlmCount} masked tokens` +
    (model.pooler ? `; NSP accuracy ${pct(nspCorrect, nspCount)} vs majority ${pct(Math.max(isNext, nspCount - isNext), nspCount)} over ${nspCount} pairs` : ''));
}
process.exit(0);
