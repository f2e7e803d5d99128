// A model's shape as plain values (nanoGPT's GPTConfig): everything the engine needs to lay out
// parameters, build the forward/backward trace and write a Hugging Face style config.json.

export type ModelKind = 'decoder' | 'encoder' | 'encoder-decoder';
export type NormPlacement = 'pre' | 'post';
export type Activation = 'gelu_tanh' | 'gelu';

export interface ModelConfig {
  /** 'decoder' = GPT (causal LM), 'encoder' = BERT (MLM), 'encoder-decoder' = T5/BART denoising. */
  kind: ModelKind;
  /** Token vocabulary size (GPT-2: 50257; char-level Shakespeare: 65); an encoder-decoder's source side. */
  vocabSize: number;
  /**
   * Encoder-decoder only: the decoder's own (target) vocabulary, when source and target have
   * separate tokenizers. The encoder then reads its own token table and the decoder and its LM head
   * another (Marian's decoder_vocab_size, share_encoder_decoder_embeddings: false). Absent: one
   * table shared by both stacks and the head (BART's model.shared).
   */
  targetVocabSize?: number;
  /** Transformer blocks (per stack for encoder-decoder). */
  nLayer: number;
  /** Attention heads; nEmbd must divide by it. */
  nHead: number;
  /** Residual stream width. */
  nEmbd: number;
  /** Longest sequence: size of the learned position table. */
  blockSize: number;
  /** Hidden width of the MLP (GPT-2 and BERT: 4 * nEmbd). */
  ffWidth: number;
  /** Dropout probability on embeddings, attention probabilities and residual branches (0 = off). */
  dropout: number;
  /** Biases in linear layers and layernorms (nanoGPT's bias=False drops them all). */
  bias: boolean;
  /** Output projection shares the token embedding matrix (GPT-2, BERT's MLM decoder). */
  tiedEmbeddings: boolean;
  /** 'pre' = layernorm before each sublayer (GPT-2), 'post' = after the residual add (BERT). */
  norm: NormPlacement;
  /** MLP nonlinearity: GPT-2's tanh approximation or BERT's exact erf GELU. */
  activation: Activation;
  /** Layernorm epsilon (GPT-2 1e-5, BERT 1e-12). */
  layerNormEps: number;
  /** Segment (token type) vocabulary, BERT's 2; 0 = no token type embeddings. */
  typeVocabSize: number;
  /** BERT's pooler (dense + tanh on [CLS]) and next-sentence head. */
  pooler: boolean;
}

/** GPT-2 small's shape as nanoGPT writes it, scaled by the caller. */
export function decoderConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  const base: ModelConfig = {
    kind: 'decoder',
    vocabSize: 50304, // GPT-2's 50257 padded up to a multiple of 64 (nanoGPT)
    nLayer: 12,
    nHead: 12,
    nEmbd: 768,
    blockSize: 1024,
    ffWidth: 4 * 768,
    dropout: 0,
    bias: true,
    tiedEmbeddings: true,
    norm: 'pre',
    activation: 'gelu_tanh',
    layerNormEps: 1e-5,
    typeVocabSize: 0,
    pooler: false,
  };
  return scaled(base, overrides);
}

/** BERT-base's shape (post-LN, segments, pooler), scaled by the caller. */
export function encoderConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  const base: ModelConfig = {
    kind: 'encoder',
    vocabSize: 30522,
    nLayer: 12,
    nHead: 12,
    nEmbd: 768,
    blockSize: 512,
    ffWidth: 3072,
    dropout: 0.1,
    bias: true,
    tiedEmbeddings: true,
    norm: 'post',
    // BERT's exact erf GELU; config.json's hidden_act says which form (train/hf-config.ts: 'gelu',
    // or 'gelu_new' for tanh), and runs saved with tanh resume with tanh (their model block says so).
    activation: 'gelu',
    layerNormEps: 1e-12,
    typeVocabSize: 2,
    pooler: true,
  };
  return scaled(base, overrides);
}

/** BART-base's shape (post-LN encoder-decoder, shared tied embeddings), scaled by the caller. */
export function encoderDecoderConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  const base: ModelConfig = {
    kind: 'encoder-decoder',
    vocabSize: 50265,
    nLayer: 6, // per stack
    nHead: 12,
    nEmbd: 768,
    blockSize: 1024,
    ffWidth: 3072,
    dropout: 0, // BART uses 0.1 (the graph applies any value; 0 keeps the preset's losses as they were)
    bias: true,
    tiedEmbeddings: true,
    norm: 'post',
    activation: 'gelu_tanh', // BART uses the erf form; tanh for the same reason as encoderConfig's
    layerNormEps: 1e-5,
    typeVocabSize: 0,
    pooler: false,
  };
  return scaled(base, overrides);
}

/** A preset shape with the caller's overrides; a new width without a new FF width keeps FF at 4x. */
function scaled(base: ModelConfig, overrides: Partial<ModelConfig>): ModelConfig {
  const cfg = { ...base, ...overrides };
  if (overrides.nEmbd !== undefined && overrides.ffWidth === undefined) cfg.ffWidth = 4 * cfg.nEmbd;
  return validateConfig(cfg);
}

/** The reference "baby shakespeare_char" model (nanoGPT's CPU configuration). */
export const BABY_SHAKESPEARE: ModelConfig = decoderConfig({
  vocabSize: 65,
  nLayer: 4,
  nHead: 4,
  nEmbd: 128,
  blockSize: 64,
  dropout: 0,
  bias: false,
});

/** Throws on a config no model can be built from, naming the field. */
export function validateConfig(cfg: ModelConfig): ModelConfig {
  const positive = ['vocabSize', 'nLayer', 'nHead', 'nEmbd', 'blockSize', 'ffWidth'] as const;
  for (const key of positive) {
    const v = cfg[key];
    if (!Number.isInteger(v) || v < 1) throw new Error(`ModelConfig.${key} must be a positive integer, got ${v}`);
  }
  if (cfg.nEmbd % cfg.nHead !== 0) throw new Error(`ModelConfig: nEmbd ${cfg.nEmbd} is not divisible by nHead ${cfg.nHead}`);
  if (!(cfg.dropout >= 0 && cfg.dropout < 1)) throw new Error(`ModelConfig.dropout must be in [0, 1), got ${cfg.dropout}`);
  if (!Number.isInteger(cfg.typeVocabSize) || cfg.typeVocabSize < 0) {
    throw new Error(`ModelConfig.typeVocabSize must be a non-negative integer, got ${cfg.typeVocabSize}`);
  }
  if (!['decoder', 'encoder', 'encoder-decoder'].includes(cfg.kind)) throw new Error(`ModelConfig.kind: unknown '${cfg.kind}'`);
  if (cfg.pooler && cfg.kind !== 'encoder') throw new Error('ModelConfig.pooler is only for encoders (BERT)');
  if (cfg.targetVocabSize !== undefined) {
    if (cfg.kind !== 'encoder-decoder') throw new Error(`ModelConfig.targetVocabSize is only for encoder-decoders (a decoder of its own vocabulary); this model is a${cfg.kind === 'encoder' ? 'n' : ''} ${cfg.kind}`);
    if (!Number.isInteger(cfg.targetVocabSize) || cfg.targetVocabSize < 1) throw new Error(`ModelConfig.targetVocabSize must be a positive integer, got ${cfg.targetVocabSize}`);
  }
  return cfg;
}

/** Whether encoder and decoder read separate token tables (separate source and target tokenizers). */
export function separateVocabularies(cfg: ModelConfig): boolean {
  return cfg.kind === 'encoder-decoder' && cfg.targetVocabSize !== undefined;
}

/** The vocabulary the decoder reads and its LM head scores: the target side's, else the one vocabulary. */
export function decoderVocabSize(cfg: ModelConfig): number {
  return cfg.targetVocabSize ?? cfg.vocabSize;
}
