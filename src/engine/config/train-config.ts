// Everything a training run needs, as plain commented values (nanoGPT's train.py): the model
// shape, the objective, the data and tokenizer, the optimizer and schedule, logging and
// checkpoints. Flat on purpose: the CLI overrides any key with --key=value, presets are a few
// lines, and the resolved object is saved in the run folder to reproduce the run.
import { decoderConfig, encoderConfig, encoderDecoderConfig, type ModelConfig } from '../model/config';

export type Objective = 'clm' | 'mlm' | 'denoise';
export type TokenizerKind = 'char' | 'bpe' | 'wordpiece';
export type Schedule = 'cosine' | 'linear' | 'constant';

export interface TrainOptions {
  // --- what to learn
  /** 'clm' next-token prediction (GPT), 'mlm' masked LM + NSP (BERT), 'denoise' span corruption (T5/BART). */
  objective: Objective;
  // --- data
  /** Files or folders to import (.txt .md .jsonl .csv .tsv). */
  corpus: string[];
  /** JSONL field or CSV/TSV column holding the text. */
  textField: string;
  /** What a document is in .txt/.md files: a blank-line separated paragraph, or the whole file. */
  documents: 'paragraph' | 'file';
  /** Drop exact duplicate documents (off for nanoGPT's reference stream, which repeats lines). */
  dedup: boolean;
  tokenizer: TokenizerKind;
  /** Target vocabulary size for trained tokenizers (char-level takes what the corpus has). */
  vocabSize: number;
  /** Fraction of the data held out for validation. */
  valFraction: number;
  /** 'document' holds out whole documents; 'tail' holds out the last part of the text (nanoGPT). */
  split: 'document' | 'tail';
  // --- model (see ModelConfig for what each means)
  nLayer: number;
  nHead: number;
  nEmbd: number;
  /** Context length in tokens. */
  blockSize: number;
  /** 0 = 4 * nEmbd. */
  ffWidth: number;
  dropout: number;
  bias: boolean;
  // --- optimizer
  /** Optimizer steps to run in total. */
  steps: number;
  /** Sequences per micro-batch. */
  batchSize: number;
  /** Micro-batches whose gradients add up to one optimizer step. */
  gradAccum: number;
  lr: number;
  minLr: number;
  warmupSteps: number;
  schedule: Schedule;
  beta1: number;
  beta2: number;
  weightDecay: number;
  /** Clip the global gradient norm to this (0 = off). */
  gradClip: number;
  // --- evaluation, logging, checkpoints
  /** Validation loss every this many steps (and at the end). */
  evalEvery: number;
  /** Batches averaged for one validation loss. */
  evalIters: number;
  /** Train metrics every this many steps. */
  logEvery: number;
  /** Checkpoint every this many steps (and on stop). */
  checkpointEvery: number;
  /** Checkpoints kept (the newest). */
  keepCheckpoints: number;
  /** Tokens of sample text generated at each evaluation (GPT only; 0 = none). */
  sampleTokens: number;
  /** Text the samples start from ('' = a newline or <|endoftext|>, as nanoGPT's sample.py). */
  samplePrompt: string;
  seed: number;
  /** Where run folders go. */
  runsDir: string;
  /** Run folder name ('' = objective + date). */
  name: string;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  objective: 'clm',
  corpus: [],
  textField: 'text',
  documents: 'paragraph',
  dedup: true,
  tokenizer: 'char',
  vocabSize: 4096,
  valFraction: 0.1,
  split: 'document',
  nLayer: 4,
  nHead: 4,
  nEmbd: 128,
  blockSize: 64,
  ffWidth: 0,
  dropout: 0,
  bias: false,
  steps: 2000,
  batchSize: 12,
  gradAccum: 1,
  lr: 1e-3,
  minLr: 1e-4,
  warmupSteps: 100,
  schedule: 'cosine',
  beta1: 0.9,
  beta2: 0.99,
  weightDecay: 0.1,
  gradClip: 1.0,
  evalEvery: 250,
  evalIters: 20,
  logEvery: 10,
  checkpointEvery: 500,
  keepCheckpoints: 3,
  sampleTokens: 200,
  samplePrompt: '',
  seed: 1337,
  runsDir: 'runs',
  name: '',
};

const CHOICES: Partial<Record<keyof TrainOptions, readonly string[]>> = {
  objective: ['clm', 'mlm', 'denoise'],
  tokenizer: ['char', 'bpe', 'wordpiece'],
  split: ['document', 'tail'],
  documents: ['paragraph', 'file'],
  schedule: ['cosine', 'linear', 'constant'],
};

/** Checks ranges and choices; throws naming the option. */
export function validateTrainOptions(o: TrainOptions): TrainOptions {
  for (const [key, allowed] of Object.entries(CHOICES)) {
    const v = o[key as keyof TrainOptions] as string;
    if (!allowed!.includes(v)) throw new Error(`--${key} must be one of ${allowed!.join(', ')}; got '${v}'`);
  }
  const positiveInts = ['nLayer', 'nHead', 'nEmbd', 'blockSize', 'steps', 'batchSize', 'gradAccum', 'evalEvery', 'evalIters', 'logEvery', 'checkpointEvery', 'keepCheckpoints', 'vocabSize'] as const;
  for (const key of positiveInts) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new Error(`--${key} must be a positive integer; got ${o[key]}`);
  }
  if (!(o.valFraction > 0 && o.valFraction < 1)) throw new Error(`--valFraction must be between 0 and 1; got ${o.valFraction}`);
  if (!(o.lr > 0) || !(o.minLr >= 0) || o.minLr > o.lr) throw new Error(`--lr must be > 0 and --minLr in [0, lr]; got ${o.lr}, ${o.minLr}`);
  if (!(o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1)) throw new Error('--beta1 and --beta2 must be in [0, 1)');
  if (!Number.isInteger(o.sampleTokens) || o.sampleTokens < 0) throw new Error(`--sampleTokens must be a non-negative integer; got ${o.sampleTokens}`);
  if (o.warmupSteps < 0 || o.weightDecay < 0 || o.gradClip < 0) throw new Error('--warmupSteps, --weightDecay and --gradClip must be >= 0');
  return o;
}

/** The model shape these options describe, once the tokenizer's vocabulary size is known. */
export function modelConfigFor(o: TrainOptions, vocabSize: number): ModelConfig {
  const shape = {
    vocabSize,
    nLayer: o.nLayer,
    nHead: o.nHead,
    nEmbd: o.nEmbd,
    blockSize: o.blockSize,
    ffWidth: o.ffWidth || 4 * o.nEmbd,
    dropout: o.dropout,
    bias: o.bias,
  };
  if (o.objective === 'mlm') return encoderConfig(shape);
  if (o.objective === 'denoise') return encoderDecoderConfig(shape);
  return decoderConfig(shape);
}
