// Which heads sit on a body, and the Hugging Face tensors each one adds to the parameter layout.
// Pure data (no GPU): params.ts lays these tensors out after the body's, graphs build the heads.
import { decoderVocabSize, type ModelConfig } from '../config';

export type HeadSpec =
  /** Next-token LM on a decoder, or the seq2seq LM on an encoder-decoder's decoder (tied per config). */
  | { kind: 'lm' }
  /** BERT's masked-LM head: transform (dense + GELU + layernorm), tied decoder, output bias. */
  | { kind: 'mlm' }
  /** BERT's next-sentence head on the pooled [CLS] state (needs the config's pooler). */
  | { kind: 'nsp' }
  /**
   * Sequence classification into numLabels classes from one vector per row: 'first' ([CLS] for
   * an encoder, the first decoder position for an encoder-decoder), 'last' (the last real token,
   * as GPT2ForSequenceClassification) or 'mean' (an encoder's mean over its real tokens, as
   * ModernBERT's classifier_pooling "mean"; then the same pooler and classifier).
   */
  | { kind: 'classify'; numLabels: number; pool: ClassifyPool };

/** Where a classification head reads each row. */
export type ClassifyPool = 'first' | 'last' | 'mean';

export interface HeadTensor {
  name: string;
  shape: number[];
  role: 'weight' | 'bias' | 'norm';
}

/** The pretraining heads of each model kind (GPT: LM; BERT: MLM + NSP with a pooler; BART: seq2seq LM). */
export function defaultHeads(cfg: ModelConfig): HeadSpec[] {
  if (cfg.kind === 'encoder') return cfg.pooler ? [{ kind: 'mlm' }, { kind: 'nsp' }] : [{ kind: 'mlm' }];
  return [{ kind: 'lm' }];
}

/** The tensors `head` adds, with Hugging Face names (GPT2LMHeadModel, BertForPreTraining, …ForSequenceClassification). */
export function headSpecs(cfg: ModelConfig, head: HeadSpec): HeadTensor[] {
  const { nEmbd: C, vocabSize: V, bias } = cfg;
  const linear = (prefix: string, nout: number, withBias = bias): HeadTensor[] => [
    { name: `${prefix}.weight`, shape: [nout, C], role: 'weight' },
    ...(withBias ? [{ name: `${prefix}.bias`, shape: [nout], role: 'bias' as const }] : []),
  ];
  const fail = (why: string) => new Error(`head '${head.kind}' on a ${cfg.kind} model: ${why}`);
  switch (head.kind) {
    case 'lm':
      if (cfg.kind === 'encoder') throw fail('an encoder predicts masked tokens: use the mlm head');
      // An encoder-decoder's head scores the decoder's vocabulary (the target side's when it has its own).
      return cfg.tiedEmbeddings ? [] : [{ name: 'lm_head.weight', shape: [decoderVocabSize(cfg), C], role: 'weight' }];
    case 'mlm': {
      if (cfg.kind !== 'encoder') throw fail('masked LM needs a bidirectional encoder');
      const out: HeadTensor[] = [
        ...linear('cls.predictions.transform.dense', C),
        { name: 'cls.predictions.transform.LayerNorm.weight', shape: [C], role: 'norm' },
        ...(bias ? [{ name: 'cls.predictions.transform.LayerNorm.bias', shape: [C], role: 'norm' as const }] : []),
      ];
      if (bias) out.push({ name: 'cls.predictions.bias', shape: [V], role: 'bias' });
      if (!cfg.tiedEmbeddings) out.push({ name: 'cls.predictions.decoder.weight', shape: [V, C], role: 'weight' });
      return out;
    }
    case 'nsp':
      if (cfg.kind !== 'encoder' || !cfg.pooler) throw fail('next-sentence prediction reads the pooler (an encoder with pooler: true)');
      return linear('cls.seq_relationship', 2);
    case 'classify': {
      if (!Number.isInteger(head.numLabels) || head.numLabels < 2) throw fail(`numLabels must be an integer >= 2, got ${head.numLabels}`);
      if (cfg.kind === 'encoder') {
        if (!cfg.pooler) throw fail('BertForSequenceClassification classifies the pooled [CLS]: set pooler: true');
        if (head.pool !== 'first' && head.pool !== 'mean') throw fail(`an encoder classifies [CLS] (pool 'first') or the mean of its tokens (pool 'mean'), not '${head.pool}'`);
        return linear('classifier', head.numLabels);
      }
      if (cfg.kind === 'decoder') {
        if (head.pool !== 'last') throw fail(`a causal decoder classifies its last real token (pool 'last'), not '${head.pool}'`);
        return linear('score', head.numLabels, false); // GPT2ForSequenceClassification's score has no bias
      }
      return [...linear('classification_head.dense', C), ...linear('classification_head.out_proj', head.numLabels)];
    }
  }
}
