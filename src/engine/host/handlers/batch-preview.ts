import { join } from 'node:path';
import { DEFAULT_TRAIN_OPTIONS, validateTrainOptions } from '../../config/train-config.ts';
import { batchRng } from '../../data/index.ts';
import { trainableObjective } from '../../objectives/index.ts';
import { prepareData } from '../../train/prepare.ts';
import { SCHEMES } from '../corpus/session.ts';
import { runsDirFromEnv } from '../run-service/index.ts';
import type { Handler } from './types.ts';

/**
 * The first rows of the trainer's step-0 batch for this block size: the trainer's prepareData
 * (same cache folder a run uses, so the run then starts at once) and the objective's own
 * collator with batchRng(seed, 0, 'train'). A planned objective is refused with its reason.
 */
export const batchPreview: Handler<'batch.preview'> = async (p) => {
  const entry = trainableObjective(p.objective);
  const runsDir = p.runsDir ?? runsDirFromEnv();
  const o = validateTrainOptions({
    ...DEFAULT_TRAIN_OPTIONS, objective: p.objective, corpus: p.corpus, targetCorpus: p.targetCorpus ?? [], tokenizer: p.tokenizer, vocabSize: p.vocabSize,
    ...(p.sharedTokenizer !== undefined ? { sharedTokenizer: p.sharedTokenizer } : {}), valFraction: p.valFraction, split: p.split, blockSize: p.blockSize, seed: p.seed, runsDir,
  }, 'batch.preview');
  const data = await prepareData(o, { cacheDir: join(runsDir, '.cache') });
  const tok = data.tokenizer;
  const rows = entry.collator(tok, o, data.targetTokenizer).preview(data.dataset, data.train, p.rows, p.blockSize, batchRng(p.seed, 0, 'train'), tok);
  return {
    rows, scheme: SCHEMES[p.tokenizer], vocabSize: tok.vocabSize, ...(data.targetTokenizer ? { targetVocabSize: data.targetTokenizer.vocabSize } : {}),
    trainTokens: data.train.tokens, valTokens: data.val.tokens,
  };
};
