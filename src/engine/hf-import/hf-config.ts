// A Hugging Face config.json (GPT2Config / BertConfig) read as the engine's ModelConfig, for the
// architectures the engine computes exactly; anything else is refused with the key that differs.
//   GPT-2: pre-LN decoder, learned positions, Conv1D [in, out] weights, biases, 'gelu_new' (tanh)
//   BERT:  post-LN encoder, token types, erf GELU ('gelu'), optional pooler (decided by the weights)
import { validateConfig, type ModelConfig } from '../model/config';
import { activationFromHf } from '../train/hf-config';

export type HfFamily = 'gpt2' | 'bert';

/** The architectures import reads, and the family each belongs to. */
export const HF_ARCHITECTURES: Readonly<Record<string, HfFamily>> = {
  GPT2LMHeadModel: 'gpt2',
  GPT2Model: 'gpt2',
  BertModel: 'bert',
  BertForPreTraining: 'bert',
  BertForMaskedLM: 'bert',
};

export interface HfModelPlan {
  family: HfFamily;
  /** The architecture config.json names (or the model_type's default when it names none). */
  architecture: string;
  /**
   * The body's shape; `pooler` is false here and set from the weights (a pooler tensor or none).
   * `dropout` is the residual dropout (resid_pdrop / hidden_dropout_prob), used only by fine-tuning.
   */
  model: ModelConfig;
  /** Token ids config.json names (eos for GPT-2, pad for BERT), where it names them. */
  eosId?: number;
  padId?: number;
}

type Json = Record<string, unknown>;

/** Reads and checks config.json's model keys; `path` names the file in every error. */
export function planFromHfConfig(json: Json, path: string): HfModelPlan {
  const archs = Array.isArray(json.architectures) ? json.architectures.filter((a): a is string => typeof a === 'string') : [];
  const modelType = typeof json.model_type === 'string' ? json.model_type : '';
  const known = Object.keys(HF_ARCHITECTURES).join(', ');
  const architecture = archs[0] ?? (modelType === 'gpt2' ? 'GPT2LMHeadModel' : modelType === 'bert' ? 'BertForPreTraining' : '');
  if (!architecture) throw new Error(`${path}: names no architecture and model_type '${modelType || '(none)'}'; import reads ${known}`);
  const family = HF_ARCHITECTURES[architecture];
  if (!family) {
    throw new Error(`${path}: architecture ${architecture}${modelType ? ` (model_type '${modelType}')` : ''} is not one import reads; it reads ${known}`);
  }
  const num = (key: string, fallback?: number): number => {
    const v = json[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${path}: ${architecture} needs a number '${key}', got ${JSON.stringify(json[key])}`);
    return v;
  };
  const refuse = (key: string, want: unknown, why: string) => {
    if (json[key] !== undefined && json[key] !== null && json[key] !== want) {
      throw new Error(`${path}: ${architecture} with ${key}=${JSON.stringify(json[key])} is not supported (${why}); import reads ${key}=${JSON.stringify(want)}`);
    }
  };
  const id = (key: string): number | undefined => (typeof json[key] === 'number' ? (json[key] as number) : undefined);
  const tied = json.tie_word_embeddings === undefined ? true : json.tie_word_embeddings === true;

  if (family === 'gpt2') {
    refuse('add_cross_attention', false, 'cross-attention needs an encoder');
    refuse('scale_attn_weights', true, 'the engine scales scores by 1/sqrt(head size)');
    refuse('scale_attn_by_inverse_layer_idx', false, 'the engine does not scale scores per layer');
    const C = num('n_embd');
    const model = validateConfig({
      kind: 'decoder', vocabSize: num('vocab_size'), nLayer: num('n_layer'), nHead: num('n_head'), nEmbd: C,
      blockSize: num('n_positions', typeof json.n_ctx === 'number' ? json.n_ctx : undefined),
      ffWidth: json.n_inner === null || json.n_inner === undefined ? 4 * C : num('n_inner'),
      dropout: num('resid_pdrop', 0.1), bias: true, tiedEmbeddings: tied, norm: 'pre',
      activation: activationFor(json.activation_function ?? 'gelu_new', path, 'activation_function'),
      layerNormEps: num('layer_norm_epsilon', 1e-5), typeVocabSize: 0, pooler: false,
    });
    return { family, architecture, model, eosId: id('eos_token_id') };
  }
  refuse('position_embedding_type', 'absolute', 'the engine learns absolute positions only');
  refuse('is_decoder', false, 'a BERT decoder is causal; import reads the bidirectional encoder');
  refuse('add_cross_attention', false, 'cross-attention needs an encoder-decoder');
  const model = validateConfig({
    kind: 'encoder', vocabSize: num('vocab_size'), nLayer: num('num_hidden_layers'), nHead: num('num_attention_heads'),
    nEmbd: num('hidden_size'), blockSize: num('max_position_embeddings'), ffWidth: num('intermediate_size'),
    dropout: num('hidden_dropout_prob', 0.1), bias: true, tiedEmbeddings: tied, norm: 'post',
    activation: activationFor(json.hidden_act ?? 'gelu', path, 'hidden_act'),
    layerNormEps: num('layer_norm_eps', 1e-12), typeVocabSize: num('type_vocab_size', 2), pooler: false,
  });
  return { family, architecture, model, padId: id('pad_token_id') };
}

function activationFor(name: unknown, path: string, key: string) {
  if (typeof name !== 'string') throw new Error(`${path}: '${key}' must be a string, got ${JSON.stringify(name)}`);
  try {
    return activationFromHf(name);
  } catch {
    throw new Error(`${path}: ${key} '${name}' is not a GELU the engine has (gelu, gelu_new, gelu_pytorch_tanh, gelu_fast)`);
  }
}
