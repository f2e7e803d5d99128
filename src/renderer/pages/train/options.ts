// The settings the Train page starts a run with: the Model page's TrainOptions (the schema's
// defaults and the chosen preset), a few of which can be changed here before starting.
import type { TrainOptionsPatch } from '../../../protocol/train-options.ts';

export interface RunField {
  key: 'nLayer' | 'nHead' | 'nEmbd' | 'blockSize' | 'batchSize' | 'steps' | 'lr' | 'evalEvery';
  label: string;
  min: number;
  max: number;
  step?: number;
}

export const RUN_FIELDS: RunField[] = [
  { key: 'nLayer', label: 'Layers', min: 1, max: 48 },
  { key: 'nHead', label: 'Heads', min: 1, max: 64 },
  { key: 'nEmbd', label: 'Width', min: 8, max: 4096 },
  { key: 'blockSize', label: 'Context', min: 4, max: 4096 },
  { key: 'batchSize', label: 'Batch size', min: 1, max: 1024 },
  { key: 'steps', label: 'Steps', min: 1, max: 1_000_000 },
  { key: 'lr', label: 'Learning rate', min: 1e-6, max: 1, step: 1e-5 },
  { key: 'evalEvery', label: 'Evaluate every', min: 1, max: 100_000 },
];

export interface AttentionFormValues {
  enabled: boolean;
  every: number;
  sentences: string;
}

export const DEFAULT_ATTENTION: AttentionFormValues = { enabled: true, every: 50, sentences: '猫在垫子上睡觉\nThe cat sat on the mat' };

/**
 * Form values → run.start options. Warmup (unless the Model page chose it) and evaluation batches
 * are scaled to short runs; checkpoints come at every other evaluation.
 */
export function runOptions(values: Record<RunField['key'], number>, designed: TrainOptionsPatch): TrainOptionsPatch {
  const steps = values.steps;
  const warmup = typeof designed.warmupSteps === 'number' ? Math.min(designed.warmupSteps, steps) : Math.min(100, Math.max(1, Math.floor(steps / 10)));
  return {
    ...values,
    warmupSteps: warmup,
    evalIters: 5,
    logEvery: steps <= 5000 ? 1 : 10,
    checkpointEvery: Math.max(1, Math.min(values.evalEvery * 2, steps)),
  };
}

export function sentenceList(text: string): string[] {
  return text.split('\n').map((s) => s.trim()).filter(Boolean).slice(0, 8);
}
