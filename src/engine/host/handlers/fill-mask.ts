// mask.fill: loads a run's checkpoint (tokenizer, model.safetensors) into an inference-only
// encoder, answers, and frees it: the playground asks rarely, so holding GPU memory between
// requests (next to a training run) would cost more than reloading a small model.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EncoderForward, fillMask as fill, nextSentenceProbability } from '../../inspect/fill-mask.ts';
import { buildParamLayout } from '../../model/params.ts';
import { latestCheckpoint, listCheckpoints } from '../../runstore/checkpoints.ts';
import { loadTokenizer, MASK } from '../../tokenizers/index.ts';
import { deserializeModel, readRunConfig, TOKENIZER_FILE } from '../../train/index.ts';
import type { Handler } from './types.ts';

export const fillMask: Handler<'mask.fill'> = async ({ runDir: dir, step: wanted, text, topK, next }, host) => {
  const runDir = resolve(dir);
  const model = readRunConfig(runDir).pretrain_studio.model;
  if (model.kind !== 'encoder') throw new Error(`${runDir} holds a ${model.kind} model; fill-mask needs a BERT (objective mlm or mlm+nsp)`);
  if (next && !model.pooler) throw new Error(`${runDir} was trained without next-sentence prediction; a sentence pair needs an mlm+nsp run`);
  if (!text.includes(MASK) && !next) throw new Error(`the text has no ${MASK} to fill`);
  const step = wanted ?? latestCheckpoint(runDir);
  if (step === undefined) throw new Error(`${runDir} has no checkpoint yet`);
  if (!listCheckpoints(runDir).includes(step)) throw new Error(`${runDir} has no checkpoint step-${step}`);
  const tok = await loadTokenizer(join(runDir, TOKENIZER_FILE));
  const path = join(runDir, 'checkpoints', `step-${step}`, 'model.safetensors');
  const enc = new EncoderForward(await host.gpu(), model, deserializeModel(buildParamLayout(model), readFileSync(path), path).params);
  try {
    const filled = text.includes(MASK) ? await fill(enc, tok, text, topK ?? 5) : { tokens: [], masks: [], filled: text };
    const isNextProbability = next ? await nextSentenceProbability(enc, tok, text, next) : null;
    return { step, ...filled, isNextProbability };
  } finally {
    enc.destroy();
  }
};
