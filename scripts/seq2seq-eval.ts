// Held-out chrF of seq2seq runs, for the README's numbers: `node --import tsx --import
// ./scripts/register-wgsl.mjs scripts/seq2seq-eval.ts [--pairs 200] [--beams 1] [--oneByOne 1] runs/<a> …`.
// Per run: the latest checkpoint translates the first N pairs of its own validation split
// (documents held out by the run's seed), greedily (in batches, as training scores them; --oneByOne 1:
// one at a time, for timing the two) or by beam search (one at a time); each side read by its own tokenizer when the run has two; corpus chrF (sacreBLEU's
// default: chrF2, effective order) of the translations against the references, next to the
// copy-the-source baseline (the source itself as the "translation"), corpus BLEU the same way
// (sacreBLEU's 13a tokenizer, or its zh tokenizer when the references are Chinese), and a few samples.
// The functions are the ones training logs valBleu / valChrf with (src/engine/objectives/seq2seq-scores.ts):
// with --pairs equal to the run's --evalTranslations they give its last evaluation's values.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Seq2SeqBatchDecoder } from '../src/engine/generate/seq2seq-batch.ts';
import { Seq2SeqDecoder } from '../src/engine/generate/seq2seq-decoder.ts';
import { buildParamLayout } from '../src/engine/model/params.ts';
import { heldOutPairs, translateAll, translateBatch, translationScores } from '../src/engine/objectives/seq2seq-scores.ts';
import { latestCheckpoint } from '../src/engine/runstore/checkpoints.ts';
import { deserializeModel, loadRunTokenizers, readRunConfig } from '../src/engine/train/index.ts';
import { prepareData } from '../src/engine/train/prepare.ts';
import { openGpu, runWithDriver } from '../src/cli/driver.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => { const at = args.indexOf(name); return at >= 0 ? Number(args.splice(at, 2)[1]) : fallback; };
const pairs = opt('--pairs', 200);
const beams = opt('--beams', 1);
const oneByOne = opt('--oneByOne', 0) === 1;
await runWithDriver('auto');
const ctx = await openGpu(() => {});
for (const runDir of args) {
  const config = readRunConfig(runDir);
  const o = config.pretrain_studio.options;
  const model = config.pretrain_studio.model;
  const tok = await loadRunTokenizers(runDir);
  const data = await prepareData(o, { tokenizer: tok.source, ...(tok.separate ? { targetTokenizer: tok.target } : {}) });
  const step = latestCheckpoint(runDir)!;
  const path = join(runDir, 'checkpoints', `step-${step}`, 'model.safetensors');
  const params = deserializeModel(buildParamLayout(model), readFileSync(path), path).params;
  const t0 = performance.now();
  const { sources, references: refs } = heldOutPairs(data.dataset, data.val, tok, pairs);
  let hyps: string[];
  if (beams > 1 || oneByOne) {
    const fwd = new Seq2SeqDecoder(ctx, model, params);
    hyps = await translateAll(fwd, tok, sources, o.blockSize - 1, beams);
    fwd.destroy();
  } else {
    const dec = new Seq2SeqBatchDecoder(ctx, model, params);
    hyps = await translateBatch(dec, tok, sources, o.blockSize - 1);
    dec.destroy();
  }
  console.log(`${runDir} step ${step}: ${hyps.length} held-out pairs, ${beams > 1 ? `beam ${beams}` : oneByOne ? 'greedy, one at a time' : 'greedy, batched'}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const scored = translationScores(hyps, refs), copy = translationScores(sources, refs);
  console.log(`  chrF2 ${scored.chrf.toFixed(2)}   copy-the-source baseline ${copy.chrf.toFixed(2)}`);
  console.log(`  BLEU (${scored.tokenize}) ${scored.bleu.toFixed(2)}   copy-the-source baseline ${copy.bleu.toFixed(2)}`);
  for (let i = 0; i < 5; i++) console.log(`  ${sources[i]}  →  ${hyps[i]}   (reference: ${refs[i]})`);
}
process.exit(0);
