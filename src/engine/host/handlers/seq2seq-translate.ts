// seq2seq.translate: loads an encoder-decoder run's checkpoint into the KV-cached decoder, decodes
// the source greedily or by beam search as `npm run generate -- --source` does, and frees it
// (as mask.fill and prompt.generate do: the playground asks now and then, and a training run
// beside it needs the GPU memory more).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Seq2SeqDecoder } from '../../generate/seq2seq-decoder.ts';
import { translate } from '../../generate/seq2seq-forward.ts';
import { buildParamLayout } from '../../model/params.ts';
import { latestCheckpoint, listCheckpoints } from '../../runstore/checkpoints.ts';
import type { Tokenizer } from '../../tokenizers/index.ts';
import { deserializeModel, loadRunTokenizers, readRunConfig } from '../../train/index.ts';
import type { Handler } from './types.ts';

const pieces = (tok: Tokenizer, ids: readonly number[]) => ids.map((id) => ({ id, token: tok.idToToken(id) ?? '' }));

export const seq2seqTranslate: Handler<'seq2seq.translate'> = async ({ runDir: dir, step: wanted, source, beams = 1, lengthPenalty = 1, maxLength = 64 }, host) => {
  const runDir = resolve(dir);
  const config = readRunConfig(runDir).pretrain_studio;
  const model = config.model;
  if (model.kind !== 'encoder-decoder') throw new Error(`${runDir} holds a ${model.kind} model; reconstruction and translation need an encoder-decoder (objective bart, t5-span or seq2seq)`);
  const step = wanted ?? latestCheckpoint(runDir);
  if (step === undefined) throw new Error(`${runDir} has no checkpoint yet`);
  if (!listCheckpoints(runDir).includes(step)) throw new Error(`${runDir} has no checkpoint step-${step} (it has: ${listCheckpoints(runDir).join(', ') || 'none'})`);
  const tok = await loadRunTokenizers(runDir); // the source's pieces by its tokenizer, the output's by the target's
  const path = join(runDir, 'checkpoints', `step-${step}`, 'model.safetensors');
  const dec = new Seq2SeqDecoder(await host.gpu(), model, deserializeModel(buildParamLayout(model), readFileSync(path), path).params);
  try {
    const objective = config.options.objective;
    const t0 = performance.now();
    const out = await translate(dec, tok, source, { framing: objective === 't5-span' ? 'sep' : 'cls-sep', maxLength, beams, lengthPenalty });
    const seconds = (performance.now() - t0) / 1000;
    return {
      step, objective, text: out.text, source: pieces(tok.source, out.source),
      hypotheses: out.hypotheses.map((h) => ({ text: h.text, tokens: pieces(tok.target, h.tokens), score: h.score, normalized: h.normalized })),
      seconds, tokensPerSecond: out.hypotheses[0].tokens.length / Math.max(seconds, 1e-9),
    };
  } finally {
    dec.destroy();
  }
};
