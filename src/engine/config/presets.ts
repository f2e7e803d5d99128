// Named starting points for a run; the CLI and the UI apply one, then the user's overrides.
import type { TrainOptionsPatch } from '../../protocol/train-options.ts';

export interface Preset {
  description: string;
  options: TrainOptionsPatch;
}

export const PRESETS: Record<string, Preset> = {
  'baby-shakespeare-char': {
    description: "nanoGPT's CPU shakespeare_char: 4 layers, 4 heads, 128 wide, 64 context, batch 12, 2000 steps",
    options: {
      objective: 'clm', tokenizer: 'char', split: 'tail', valFraction: 0.1, documents: 'file', dedup: false,
      nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 64, dropout: 0, bias: false,
      steps: 2000, batchSize: 12, lr: 1e-3, minLr: 1e-4, warmupSteps: 100, schedule: 'cosine',
      beta1: 0.9, beta2: 0.99, weightDecay: 0.1, gradClip: 1.0, evalEvery: 250, evalIters: 200,
    },
  },
  tiny: {
    description: 'A minutes-long demo on the built-in sample corpus: 2 layers, 64 wide',
    options: { nLayer: 2, nHead: 2, nEmbd: 64, blockSize: 64, steps: 300, batchSize: 8, evalEvery: 50, evalIters: 5, warmupSteps: 20, checkpointEvery: 100 },
  },
  small: {
    description: '6 layers, 6 heads, 384 wide, 256 context: a real GPU run',
    options: { nLayer: 6, nHead: 6, nEmbd: 384, blockSize: 256, batchSize: 32, dropout: 0.2, steps: 5000, lr: 1e-3, warmupSteps: 200 },
  },
};
