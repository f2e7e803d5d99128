// config.json as a Hugging Face user expects it (GPT2Config / BertConfig / BartConfig keys: each
// objective's registry entry picks its writer), with everything needed to reproduce the run in a
// `pretrain_studio` block that transformers ignores.
import type { TrainOptions } from '../config/train-config';
import { type Activation, decoderVocabSize, type ModelConfig, separateVocabularies } from '../model/config';

export interface DataDescription {
  /** The corpus inputs as given, and the imported corpus' content hash. */
  inputs: string[];
  corpusHash: string;
  documents: number;
  characters: number;
  /** Token shards: cache key, where they live, token count and split sizes. */
  shardKey: string;
  shardDir: string;
  tokens: number;
  trainTokens: number;
  valTokens: number;
  split: string;
}

export interface StudioBlock {
  version: 1;
  /** An objective registry id. */
  objective: string;
  options: TrainOptions;
  model: ModelConfig;
  data: DataDescription;
  /** `target`: a seq2seq run's own target tokenizer (target_tokenizer.json), when the sides have one each. */
  tokenizer: { kind: string; vocabSize: number; hash: string; target?: { vocabSize: number; hash: string } };
  parameters: number;
  createdAt: string;
}

export interface RunConfigJson {
  [key: string]: unknown;
  pretrain_studio: StudioBlock;
}

/** Hugging Face's name for a GELU form: 'gelu' is the exact erf form, 'gelu_new' the tanh approximation (GPT-2's). */
export function hfActivation(a: Activation): 'gelu' | 'gelu_new' {
  if (a === 'gelu') return 'gelu';
  if (a === 'gelu_tanh') return 'gelu_new';
  throw new Error(`ModelConfig.activation: no Hugging Face name for '${String(a)}'`);
}

/** The engine's GELU form for a Hugging Face hidden_act / activation_function (the tanh names all map to 'gelu_tanh'). */
export function activationFromHf(name: string): Activation {
  if (name === 'gelu') return 'gelu';
  if (name === 'gelu_new' || name === 'gelu_pytorch_tanh' || name === 'gelu_fast') return 'gelu_tanh';
  throw new Error(`config.json: activation '${name}' is not one the engine has (gelu, gelu_new)`);
}

export function gpt2Keys(m: ModelConfig, eosId: number | undefined): Record<string, unknown> {
  return {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: m.vocabSize,
    n_positions: m.blockSize,
    n_ctx: m.blockSize,
    n_embd: m.nEmbd,
    n_layer: m.nLayer,
    n_head: m.nHead,
    n_inner: m.ffWidth,
    activation_function: hfActivation(m.activation), // GPT-2's is the tanh approximation, 'gelu_new'
    layer_norm_epsilon: m.layerNormEps,
    resid_pdrop: m.dropout,
    embd_pdrop: m.dropout,
    attn_pdrop: m.dropout,
    initializer_range: 0.02,
    tie_word_embeddings: m.tiedEmbeddings,
    // HF's GPT-2 always has biases: with bias=false the checkpoint has none and they load as zeros.
    ...(eosId === undefined ? {} : { bos_token_id: eosId, eos_token_id: eosId }),
    torch_dtype: 'float32',
  };
}

/** BertConfig keys; `architecture` names the heads (BertForMaskedLM, BertForPreTraining with NSP). */
export function bertKeys(m: ModelConfig, padId: number | undefined, architecture: string): Record<string, unknown> {
  return {
    architectures: [architecture],
    model_type: 'bert',
    vocab_size: m.vocabSize,
    hidden_size: m.nEmbd,
    num_hidden_layers: m.nLayer,
    num_attention_heads: m.nHead,
    intermediate_size: m.ffWidth,
    hidden_act: hfActivation(m.activation),
    hidden_dropout_prob: m.dropout,
    attention_probs_dropout_prob: m.dropout,
    max_position_embeddings: m.blockSize,
    type_vocab_size: m.typeVocabSize,
    layer_norm_eps: m.layerNormEps,
    initializer_range: 0.02,
    tie_word_embeddings: m.tiedEmbeddings,
    ...(padId === undefined ? {} : { pad_token_id: padId }),
    torch_dtype: 'float32',
  };
}

/**
 * BartConfig keys. Unlike BART, positions are learned without its offset of 2, so transformers'
 * BartLearnedPositionalEmbedding would read the position table shifted: the keys describe the
 * shape for tooling; loading the weights into BartForConditionalGeneration needs that offset.
 */
export function bartKeys(m: ModelConfig, ids: { pad?: number; bos?: number; eos?: number }): Record<string, unknown> {
  return {
    architectures: ['BartForConditionalGeneration'],
    model_type: 'bart',
    vocab_size: m.vocabSize,
    d_model: m.nEmbd,
    encoder_layers: m.nLayer,
    decoder_layers: m.nLayer,
    encoder_attention_heads: m.nHead,
    decoder_attention_heads: m.nHead,
    encoder_ffn_dim: m.ffWidth,
    decoder_ffn_dim: m.ffWidth,
    max_position_embeddings: m.blockSize,
    activation_function: hfActivation(m.activation),
    dropout: m.dropout,
    attention_dropout: m.dropout,
    activation_dropout: 0,
    init_std: 0.02,
    scale_embedding: false,
    tie_word_embeddings: m.tiedEmbeddings,
    // Separate source and target vocabularies: Marian's keys (MarianConfig) for the untied tables
    // model.encoder.embed_tokens [vocab_size, d] and model.decoder.embed_tokens [decoder_vocab_size, d].
    ...(separateVocabularies(m) ? { decoder_vocab_size: decoderVocabSize(m), share_encoder_decoder_embeddings: false } : {}),
    ...(ids.pad === undefined ? {} : { pad_token_id: ids.pad }),
    ...(ids.bos === undefined ? {} : { bos_token_id: ids.bos, decoder_start_token_id: ids.bos }),
    ...(ids.eos === undefined ? {} : { eos_token_id: ids.eos, forced_eos_token_id: ids.eos }),
    torch_dtype: 'float32',
  };
}

/** config.json: the objective's Hugging Face keys, then the studio block. */
export function runConfigJson(studio: StudioBlock, hf: Record<string, unknown>): RunConfigJson {
  return { ...hf, pretrain_studio: studio };
}
