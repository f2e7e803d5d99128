// A Hugging Face state dict's names → the engine's (which are transformers' own, fully prefixed).
// Checkpoints on the Hub spell the same tensor several ways:
//   GPT-2: the Hub's `gpt2` was saved from GPT2Model (`h.0.attn.c_attn.weight`), save_pretrained of
//          GPT2LMHeadModel prefixes `transformer.`; the tied `lm_head.weight` may or may not be stored
//   BERT:  BertModel saves `embeddings.…`, the task models `bert.embeddings.…`; TF-era checkpoints
//          (bert-base-chinese) keep LayerNorm `gamma` / `beta` for `weight` / `bias`
// Buffers, not parameters, are ignored by rule: GPT-2's causal masks `attn.bias` / `attn.masked_bias`,
// BERT's `position_ids` / `token_type_ids`. A tied copy of the embeddings is ignored when it equals
// them (transformers ties it on load anyway); one that differs is refused, as the model would
// silently compute with the other.
import type { HfFamily } from './hf-config';

export interface Renamed {
  /** Engine name → source name, for tensors to load. */
  load: Map<string, string>;
  /** Source names ignored, each with the rule that ignored it. */
  ignored: { name: string; why: string }[];
}

const GPT2_BUFFER = /(^|\.)h\.\d+\.attn\.(bias|masked_bias)$/;
const BERT_BUFFER = /(^|\.)embeddings\.(position_ids|token_type_ids)$/;

/** The engine's name for one source name, or null with a reason for a buffer. */
function engineName(family: HfFamily, name: string): { name: string } | { ignore: string } {
  if (family === 'gpt2') {
    if (GPT2_BUFFER.test(name)) return { ignore: 'causal-mask buffer' };
    if (name.startsWith('lm_head.') || name.startsWith('transformer.')) return { name };
    return { name: `transformer.${name}` };
  }
  if (BERT_BUFFER.test(name)) return { ignore: 'index buffer' };
  let n = name.replace(/\.gamma$/, '.weight').replace(/\.beta$/, '.bias');
  if (/^(embeddings|encoder|pooler)\./.test(n)) n = `bert.${n}`;
  return { name: n };
}

/**
 * Renames every source tensor. `equal(a, b)` compares two source tensors' values (for the tied
 * copies); `tied` is config.json's tie_word_embeddings. Two source names for one engine name are refused.
 */
export function renameTensors(family: HfFamily, names: readonly string[], tied: boolean, equal: (a: string, b: string) => boolean): Renamed {
  const load = new Map<string, string>();
  const ignored: { name: string; why: string }[] = [];
  for (const source of names) {
    const r = engineName(family, source);
    if ('ignore' in r) { ignored.push({ name: source, why: r.ignore }); continue; }
    const prior = load.get(r.name);
    if (prior !== undefined) throw new Error(`tensors '${prior}' and '${source}' are both ${r.name}`);
    load.set(r.name, source);
  }
  const embeddings = family === 'gpt2' ? 'transformer.wte.weight' : 'bert.embeddings.word_embeddings.weight';
  const copies = family === 'gpt2' ? ['lm_head.weight'] : ['cls.predictions.decoder.weight'];
  if (tied) {
    for (const copy of copies) {
      const source = load.get(copy);
      const emb = load.get(embeddings);
      if (source === undefined || emb === undefined) continue;
      if (!equal(source, emb)) throw new Error(`'${source}' differs from '${emb}' although config.json ties them (tie_word_embeddings); set tie_word_embeddings: false to import both`);
      load.delete(copy);
      ignored.push({ name: source, why: 'tied copy of the token embeddings' });
    }
  }
  // transformers ties BertLMPredictionHead's decoder bias to cls.predictions.bias (both may be saved).
  const decoderBias = load.get('cls.predictions.decoder.bias');
  if (family === 'bert' && decoderBias !== undefined) {
    const bias = load.get('cls.predictions.bias');
    if (bias !== undefined && !equal(decoderBias, bias)) throw new Error(`'${decoderBias}' differs from '${bias}'; transformers ties them`);
    if (bias === undefined) load.set('cls.predictions.bias', decoderBias);
    load.delete('cls.predictions.decoder.bias');
    ignored.push({ name: decoderBias, why: 'tied copy of cls.predictions.bias' });
  }
  return { load, ignored };
}
