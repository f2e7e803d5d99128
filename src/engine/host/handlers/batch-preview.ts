import { join } from 'node:path';
import { DEFAULT_TRAIN_OPTIONS, type TrainOptions } from '../../config/train-config.ts';
import { batchRng, sampleBatch } from '../../data/index.ts';
import { prepareData } from '../../trainer/prepare.ts';
import { SCHEMES } from '../corpus/session.ts';
import type { Handler } from './types.ts';

/**
 * The first rows of the trainer's step-0 batch: the trainer's prepareData (same cache folder a run
 * uses, so the run then starts at once) and sampleBatch with batchRng(seed, 0, 'train').
 */
export const batchPreview: Handler<'batch.preview'> = async (p) => {
  if (p.objective !== 'clm') throw new Error(`batch.preview: the ${p.objective} batch preview is not available yet (the trainer's collator for it is not wired in here)`);
  const o: TrainOptions = {
    ...DEFAULT_TRAIN_OPTIONS, objective: p.objective, corpus: p.corpus, tokenizer: p.tokenizer, vocabSize: p.vocabSize,
    valFraction: p.valFraction, split: p.split, blockSize: p.blockSize, seed: p.seed, runsDir: p.runsDir,
  };
  const data = await prepareData(o, { cacheDir: join(p.runsDir, '.cache') });
  const tok = data.tokenizer;
  const T = p.blockSize;
  const batch = sampleBatch(data.dataset, data.train, p.rows, T, batchRng(p.seed, 0, 'train'));
  const view = (id: number) => ({ id, text: tok.idToToken(id) ?? `<${id}>`, ...(tok.isSpecial(id) ? { special: true } : {}) });
  const rows = Array.from({ length: p.rows }, (_, r) => ({
    inputs: Array.from(batch.x.subarray(r * T, (r + 1) * T), view),
    targets: Array.from(batch.y.subarray(r * T, (r + 1) * T), (id) => (id < 0 ? null : view(id))),
  }));
  return { kind: 'causal' as const, rows, scheme: SCHEMES[p.tokenizer], vocabSize: tok.vocabSize, trainTokens: data.train.tokens, valTokens: data.val.tokens };
};
