// What an objective is: everything the trainer, the CLI, the engine host and the UI need to know
// about one way of learning from text, in one object. The trainer never asks "which objective is
// this?"; it asks the entry (its model, its batches, its metric names, its config.json keys).
import type { BatchPreviewRow } from '../../protocol/commands/batch-preview.ts';
import type { TrainOptions } from '../config/train-config.ts';
import type { DataSplit, Rng, TokenDataset } from '../data/index.ts';
import type { GpuContext } from '../gpu/device.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { ModelConfig, ModelKind } from '../model/config.ts';
import type { ParamLayout } from '../model/params.ts';
import type { HeadSpec } from '../model/heads/spec.ts';
import type { Tokenizer } from '../tokenizers/index.ts';
import type { MicroBatch } from '../train/step.ts';
import type { Seq2SeqShape } from '../model/bart.ts';

/** The model's shape from the options, before the objective picks its family's defaults. */
export interface ModelShapeValues {
  vocabSize: number;
  /** A paired objective's target vocabulary when source and target have separate tokenizers. */
  targetVocabSize?: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  blockSize: number;
  ffWidth: number;
  dropout: number;
  bias: boolean;
}

/** Turns a split's token stream into the graph's named u32 inputs, and into preview rows. */
export interface Collator {
  /**
   * One micro-batch of `batchSize` rows for a graph recorded at `seqLen`: a u32 array per graph
   * input. Randomness comes only from `rng` (batchRng(seed, draw, split)): a resumed run draws
   * the same batches.
   */
  batch(ds: TokenDataset, split: DataSplit, batchSize: number, seqLen: number, rng: Rng): MicroBatch;
  /** The first `rows` rows of the same batch, token by token, for the "as the model sees it" view. */
  preview(ds: TokenDataset, split: DataSplit, rows: number, seqLen: number, rng: Rng, tok: Tokenizer): BatchPreviewRow[];
}

/** One line of a chart: a metric name of metrics.jsonl ('val' records or 'train' records). */
export interface ChartLine {
  label: string;
  split: 'train' | 'val';
  name: string;
  dashed?: boolean;
}

/** What the Train page charts, beyond the learning rate, grad norm and throughput every run has. */
export interface ObjectiveCharts {
  loss: ChartLine[];
  perplexity: ChartLine[];
  accuracy: ChartLine[];
  /** Scores of what the model writes at each evaluation (seq2seq: BLEU and chrF); none without. */
  scores?: ChartLine[];
}

/** Text the model writes at each evaluation (GPT: a continuation of the prompt). */
export interface EvalSampler {
  sample(step: number): Promise<{ prompt: string; text: string }>;
  destroy(): void;
}

/** Validation scores beyond the loss, measured at each evaluation (seq2seq: BLEU and chrF). */
export interface EvalScorer {
  /** Metric name → value, added to the evaluation's 'val' record. */
  score(step: number): Promise<Record<string, number>>;
  destroy(): void;
}

export interface SamplerArgs {
  ctx: GpuContext;
  layout: ParamLayout;
  /** The live parameter buffer (read, never written). */
  params: Tensor;
  /** The run's tokenizer (a seq2seq run's source side when each side has its own). */
  tokenizer: Tokenizer;
  /** A seq2seq run's target tokenizer when the sides have separate ones; absent: `tokenizer` writes the targets too. */
  targetTokenizer?: Tokenizer;
  options: TrainOptions;
  /** The run folder, for samplers that store what they write with the run ('' when there is none). */
  runDir?: string;
}

export interface ScorerArgs extends SamplerArgs {
  /** The run's tokens and validation split (scorers read held-out examples from it). */
  data: { dataset: TokenDataset; val: DataSplit };
}

/** What every registry entry says about itself: enough for a card, --help and the runs list. */
export interface ObjectiveInfo {
  /** The value of --objective and of config.json's pretrain_studio.objective. */
  readonly id: string;
  readonly title: string;
  /** The model family people know it from (GPT, BERT …). */
  readonly family: string;
  /** One sentence: what the model learns. */
  readonly summary: string;
  readonly modelKind: ModelKind;
}

/** A slot a later issue fills: listed (and refused, with the reason) but not trainable yet. */
export interface PlannedObjective extends ObjectiveInfo {
  readonly status: 'planned';
  /** The heads it will put on the body, by name (e.g. ['classification']). */
  readonly heads: readonly string[];
  /** Why it cannot train yet, in the words the CLI and the UI show. */
  readonly reason: string;
  /** What the Train page charts for a run of it made another way (a fine-tune); none without. */
  readonly charts?: ObjectiveCharts;
}

export interface TrainableObjective extends ObjectiveInfo {
  readonly status: 'available';
  /**
   * The heads on the body, in loss-term order: exactly what buildParamLayout(model, { heads })
   * receives (paramLayoutFor in config/train-config.ts), so the layout, the graph and the
   * checkpoint all carry these heads' tensors.
   */
  readonly heads: readonly HeadSpec[];
  /**
   * Special tokens the tokenizer needs: GPT's <|endoftext|>, BERT's [PAD] [UNK] [CLS] [SEP] [MASK],
   * or BERT's and T5's sentinels <extra_id_0> … <extra_id_99> ('t5').
   */
  readonly specials: 'gpt' | 'bert' | 't5';
  /**
   * Reads paired rows (source [SEP] target per document: data/formats.ts) instead of plain text;
   * --sourceField / --targetField pick the columns.
   */
  readonly paired?: boolean;
  /** The model for a shape; its kind must be `modelKind` (the trainer checks). */
  model(shape: ModelShapeValues): ModelConfig;
  /** The batch shape the graph is recorded for (encoder-decoders add a target length). */
  batchShape(o: TrainOptions): Seq2SeqShape;
  /**
   * The collator for this tokenizer (looks up the special ids it needs, or says which are missing),
   * with the run's options where the collator has settings (e.g. MLM's wholeWordMask), and a paired
   * objective's target tokenizer when the sides have separate ones (the preview decodes targets with it).
   */
  collator(tok: Tokenizer, options?: TrainOptions, targetTokenizer?: Tokenizer): Collator;
  /**
   * Names of the graph's loss terms, one per head, in the graph's order. A train record carries
   * `loss` (their sum) and `accuracy` (the first term's); with more than one term, also
   * `<term>Loss` and `<term>Accuracy` for each (metricNames() lists them).
   */
  readonly lossTerms: readonly string[];
  readonly charts: ObjectiveCharts;
  /** What evaluation writes besides the validation loss, in words for the UI; null: nothing. */
  readonly samples: string | null;
  /** The writer of those samples for a run (null when it writes none, e.g. sampleTokens 0). */
  sampler(args: SamplerArgs): EvalSampler | null;
  /** The scorer of each evaluation (null or absent: the validation loss only). */
  scorer?(args: ScorerArgs): EvalScorer | null;
  /** config.json's Hugging Face keys (GPT2Config, BertConfig, BartConfig …) for this model. */
  hfConfig(model: ModelConfig, tok: Tokenizer): Record<string, unknown>;
}

export type ObjectiveEntry = PlannedObjective | TrainableObjective;
