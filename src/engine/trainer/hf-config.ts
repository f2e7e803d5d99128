// config.json as a Hugging Face user expects it (GPT2Config / BertConfig keys), with everything
// needed to reproduce the run in a `pretrain_studio` block that transformers ignores.
import type { TrainOptions } from '../config/train-config';
import type { ModelConfig } from '../model/config';

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
  objective: TrainOptions['objective'];
  options: TrainOptions;
  model: ModelConfig;
  data: DataDescription;
  tokenizer: { kind: string; vocabSize: number; hash: string };
  parameters: number;
  createdAt: string;
}

export interface RunConfigJson {
  [key: string]: unknown;
  pretrain_studio: StudioBlock;
}

function gpt2Keys(m: ModelConfig, eosId: number | undefined): Record<string, unknown> {
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
    activation_function: 'gelu_new', // the tanh approximation, HF's name for GPT-2's GELU
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

function bertKeys(m: ModelConfig, padId: number | undefined): Record<string, unknown> {
  return {
    architectures: ['BertForPreTraining'],
    model_type: 'bert',
    vocab_size: m.vocabSize,
    hidden_size: m.nEmbd,
    num_hidden_layers: m.nLayer,
    num_attention_heads: m.nHead,
    intermediate_size: m.ffWidth,
    hidden_act: 'gelu_new',
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

export function runConfigJson(studio: StudioBlock, special: { eosId?: number; padId?: number }): RunConfigJson {
  const hf = studio.model.kind === 'encoder' ? bertKeys(studio.model, special.padId) : gpt2Keys(studio.model, special.eosId);
  return { ...hf, pretrain_studio: studio };
}
