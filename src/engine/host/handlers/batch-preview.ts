import { join } from 'node:path';
import { DEFAULT_TRAIN_OPTIONS, type TrainOptions } from '../../config/train-config.ts';
import { batchRng, sampleBatch } from '../../data/index.ts';
import { IGNORE_INDEX } from '../../ops/crossentropy.ts';
import { mlmBatch, mlmSpecials } from '../../trainer/mlm-collator.ts';
import { prepareData } from '../../trainer/prepare.ts';
import { SCHEMES } from '../corpus/session.ts';
import { runsDirFromEnv } from '../run-service/index.ts';
import type { Handler } from './types.ts';

/**
 * The first rows of the trainer's step-0 batch for this block size: the trainer's prepareData
 * (same cache folder a run uses, so the run then starts at once) and its sampler or collator with
 * batchRng(seed, 0, 'train').
 */
export const batchPreview: Handler<'batch.preview'> = async (p) => {
  if (p.objective === 'denoise') throw new Error('batch.preview: the denoising batch preview is not available yet (the trainer cannot run that objective yet)');
  const runsDir = p.runsDir ?? runsDirFromEnv();
  const o: TrainOptions = {
    ...DEFAULT_TRAIN_OPTIONS, objective: p.objective, corpus: p.corpus, tokenizer: p.tokenizer, vocabSize: p.vocabSize,
    valFraction: p.valFraction, split: p.split, blockSize: p.blockSize, seed: p.seed, runsDir,
  };
  const data = await prepareData(o, { cacheDir: join(runsDir, '.cache') });
  const tok = data.tokenizer;
  const T = p.blockSize;
  const rng = batchRng(p.seed, 0, 'train');
  const view = (id: number) => ({ id, text: tok.idToToken(id) ?? `<${id}>`, ...(tok.isSpecial(id) ? { special: true } : {}) });
  const common = { scheme: SCHEMES[p.tokenizer], vocabSize: tok.vocabSize, trainTokens: data.train.tokens, valTokens: data.val.tokens };
  if (p.objective === 'mlm') {
    const sp = mlmSpecials(tok);
    const b = mlmBatch(data.dataset, data.train, p.rows, T, rng, sp);
    const rows = Array.from({ length: p.rows }, (_, r) => {
      const n = b.kvLen[r]; // real length: padding is not shown
      const ids = b.input_ids.subarray(r * T, r * T + n);
      const labels = b.mlm_labels.subarray(r * T, r * T + n);
      return {
        kind: 'mlm' as const,
        inputs: Array.from(ids, (id, i) => {
          const label = labels[i];
          const mark = label === IGNORE_INDEX ? undefined : id === sp.mask ? ('mask' as const) : id === label ? ('kept' as const) : ('random' as const);
          return { ...view(id), ...(mark ? { mark } : {}) };
        }),
        labels: Array.from(labels, (label) => (label === IGNORE_INDEX ? null : view(label))),
        nsp: { isNext: b.nsp_labels[r] === 0 },
      };
    });
    return { rows, ...common };
  }
  const batch = sampleBatch(data.dataset, data.train, p.rows, T, rng);
  const rows = Array.from({ length: p.rows }, (_, r) => ({
    kind: 'causal' as const,
    inputs: Array.from(batch.x.subarray(r * T, (r + 1) * T), view),
    targets: Array.from(batch.y.subarray(r * T, (r + 1) * T), (id) => (id < 0 ? null : view(id))),
  }));
  return { rows, ...common };
};
