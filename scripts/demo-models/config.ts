// The exact configuration of the built-in demo models (assets/demo-models/): which corpus each is
// trained on and every option given to `npm run train` / `npm run finetune`. `scripts/demo-models.ts`
// trains them from this, and tests/integration/demo-models.test.ts re-runs the first steps from it.
import { join } from 'node:path';

/** The shared reference corpora (../shared/datasets beside the checkout, or PRETRAIN_STUDIO_DATASETS). */
export function datasetsDir(repoRoot: string): string {
  return process.env.PRETRAIN_STUDIO_DATASETS ?? join(repoRoot, '..', 'shared', 'datasets');
}

/** A pretraining run: `npm run train -- --corpus <corpus> --key value …`. */
export interface DemoPretrain {
  kind: 'train';
  name: string;
  /** What the tour uses it for. */
  role: string;
  corpus: 'english' | 'chinese';
  options: DemoOptions;
}

/** A classifier fine-tuned from a pretrained demo: `npm run finetune -- --run <from> --data <file> …`. */
export interface DemoFineTune {
  kind: 'finetune';
  name: string;
  role: string;
  from: string;
  /** A file of the shared datasets folder. */
  data: string;
  options: DemoOptions;
}

export type DemoModel = DemoPretrain | DemoFineTune;

/** CLI options: a list is given as the same option repeated. */
export type DemoOptions = Record<string, string | number | boolean | string[]>;

// Sizes: char tokenizers, 128 wide, 2-4 layers, 64 tokens of context: a few MB of weights each and
// about 25-35 minutes of training on two CPU cores (lavapipe) for all four.
const SMALL = { tokenizer: 'char', nHead: 4, nEmbd: 128, blockSize: 64, dropout: 0, seed: 1337, attentionSnapshots: true };

export const DEMO_MODELS: readonly DemoModel[] = [
  {
    kind: 'train', name: 'demo-gpt-en', role: 'GPT: next-token prediction on Shakespeare (English)', corpus: 'english',
    options: {
      // 256 characters of context, so that a few-shot prompt (a demonstration or two and the text) fits.
      ...SMALL, objective: 'clm', nLayer: 4, blockSize: 256, documents: 'file', split: 'tail', dedup: false, bias: false,
      steps: 1000, batchSize: 4, lr: 1e-3, minLr: 1e-4, warmupSteps: 50, evalEvery: 250, evalIters: 20,
      logEvery: 10, checkpointEvery: 1000, keepCheckpoints: 1, sampleTokens: 200, samplePrompt: 'ROMEO:',
    },
  },
  {
    kind: 'train', name: 'demo-bert-zh', role: 'BERT: masked LM + next sentence prediction (Chinese)', corpus: 'chinese',
    options: {
      ...SMALL, objective: 'mlm+nsp', nLayer: 3, wholeWordMask: true, bias: true,
      attentionSentences: ['猫在垫子上睡觉', '巴黎是法国的首都，埃菲尔铁塔位于巴黎。', '今天天气很好'],
      steps: 800, batchSize: 16, lr: 1e-3, minLr: 1e-4, warmupSteps: 50, evalEvery: 200, evalIters: 10,
      logEvery: 10, checkpointEvery: 800, keepCheckpoints: 1,
    },
  },
  {
    kind: 'train', name: 'demo-t5-zh', role: 'T5: span corruption, fill the <extra_id_0> gaps (Chinese)', corpus: 'chinese',
    options: {
      ...SMALL, objective: 't5-span', nLayer: 2, attentionSentences: ['今天天气很好', '猫在垫子上睡觉'],
      steps: 600, batchSize: 16, lr: 1e-3, minLr: 1e-4, warmupSteps: 50, evalEvery: 200, evalIters: 10,
      logEvery: 10, checkpointEvery: 600, keepCheckpoints: 1, sampleTokens: 0,
    },
  },
  {
    kind: 'finetune', name: 'demo-bert-zh-sentiment', role: 'BERT fine-tuned: sentiment of food-delivery reviews (Chinese)',
    from: 'demo-bert-zh', data: 'waimai10k.csv',
    options: { scope: 'all', steps: 100, batchSize: 16, maxLength: 64, lr: 3e-4, warmupSteps: 10, evalEvery: 50, seed: 1337 },
  },
];
