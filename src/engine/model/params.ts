// Parameter layout: every parameter as a named view into ONE flat float32 buffer (llm.c's
// fill_in_parameter_sizes). Gradients and both AdamW moments share this layout, so the optimizer
// and the grad norm walk flat ranges.
//
// A slab is what a kernel binds: it starts on a 256-byte boundary (WebGPU binding offsets). A
// slab holds one or more Hugging Face tensors packed back to back, e.g. BERT's query/key/value
// weights ([C, C] each, [out, in]) stacked into one [3C, C] matrix so one matmul computes all
// three. Slabs that decay come first, then those that do not: decay is one contiguous range.
import type { ModelConfig } from './config';

/** One Hugging Face tensor: a name, a shape, where it lives in the flat buffer (in floats). */
export interface ParamPart {
  name: string;
  shape: number[];
  offset: number;
  numel: number;
}

export type ParamRole = 'embedding' | 'weight' | 'bias' | 'norm';

/** A bindable view: 256-byte aligned, one or more parts. `key` names the slab in engine code. */
export interface ParamSlab {
  key: string;
  shape: number[];
  offset: number;
  numel: number;
  role: ParamRole;
  decay: boolean;
  parts: ParamPart[];
}

export interface DecayOptions {
  /** nanoGPT decays every 2D tensor, embeddings included (default true). */
  decayEmbeddings?: boolean;
  /** Layernorm gains and shifts (default false). */
  decayNorms?: boolean;
  /** Biases (default false). */
  decayBiases?: boolean;
}

export interface Range {
  offset: number;
  length: number;
}

export interface ParamLayout {
  config: ModelConfig;
  slabs: ParamSlab[];
  /** Floats in the flat buffer, alignment padding included. */
  totalFloats: number;
  /** Real parameters (no padding), the number a user sees. */
  count: number;
  /** The slabs that weight decay applies to, then those it does not: both contiguous. */
  decayRange: Range;
  noDecayRange: Range;
  slab(key: string): ParamSlab;
  part(name: string): ParamPart;
}

/** 256 bytes in floats: every slab starts on this boundary. */
export const SLAB_ALIGN_FLOATS = 64;

interface SlabSpec {
  key: string;
  role: ParamRole;
  parts: { name: string; shape: number[] }[];
  /** The slab's shape if it is not its single part's (stacked parts). */
  shape?: number[];
}

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

function one(key: string, role: ParamRole, shape: number[]): SlabSpec {
  return { key, role, parts: [{ name: key, shape }] };
}

/** Linear or Conv1D weight plus optional bias. */
function linear(prefix: string, shape: number[], biasSize: number, bias: boolean): SlabSpec[] {
  const out = [one(`${prefix}.weight`, 'weight', shape)];
  if (bias) out.push(one(`${prefix}.bias`, 'bias', [biasSize]));
  return out;
}

function norm(prefix: string, C: number, bias: boolean): SlabSpec[] {
  const out = [one(`${prefix}.weight`, 'norm', [C])];
  if (bias) out.push(one(`${prefix}.bias`, 'norm', [C]));
  return out;
}

/** Hugging Face [out, in] Linears stacked along `out` into one slab (fused q/k/v). */
function stacked(prefix: string, names: string[], C: number, nin: number, bias: boolean): SlabSpec[] {
  const out: SlabSpec[] = [
    {
      key: `${prefix}.${names.join('_')}.weight`,
      role: 'weight',
      shape: [names.length * C, nin],
      parts: names.map((n) => ({ name: `${prefix}.${n}.weight`, shape: [C, nin] })),
    },
  ];
  if (bias) {
    out.push({
      key: `${prefix}.${names.join('_')}.bias`,
      role: 'bias',
      shape: [names.length * C],
      parts: names.map((n) => ({ name: `${prefix}.${n}.bias`, shape: [C] })),
    });
  }
  return out;
}

/** GPT-2 (Hugging Face GPT2LMHeadModel names; Conv1D weights are [in, out]). */
function gptSpecs(cfg: ModelConfig): SlabSpec[] {
  const { nEmbd: C, ffWidth: F, bias: b } = cfg;
  const specs: SlabSpec[] = [
    one('transformer.wte.weight', 'embedding', [cfg.vocabSize, C]),
    one('transformer.wpe.weight', 'embedding', [cfg.blockSize, C]),
  ];
  for (let l = 0; l < cfg.nLayer; l++) {
    const h = `transformer.h.${l}`;
    specs.push(
      ...norm(`${h}.ln_1`, C, b),
      ...linear(`${h}.attn.c_attn`, [C, 3 * C], 3 * C, b),
      ...linear(`${h}.attn.c_proj`, [C, C], C, b),
      ...norm(`${h}.ln_2`, C, b),
      ...linear(`${h}.mlp.c_fc`, [C, F], F, b),
      ...linear(`${h}.mlp.c_proj`, [F, C], C, b),
    );
  }
  specs.push(...norm('transformer.ln_f', C, b));
  if (!cfg.tiedEmbeddings) specs.push(one('lm_head.weight', 'weight', [cfg.vocabSize, C]));
  return specs;
}

/** BERT (Hugging Face BertForPreTraining names; Linear weights are [out, in]). */
function bertSpecs(cfg: ModelConfig): SlabSpec[] {
  const { nEmbd: C, ffWidth: F, bias: b } = cfg;
  const e = 'bert.embeddings';
  const specs: SlabSpec[] = [
    one(`${e}.word_embeddings.weight`, 'embedding', [cfg.vocabSize, C]),
    one(`${e}.position_embeddings.weight`, 'embedding', [cfg.blockSize, C]),
  ];
  if (cfg.typeVocabSize > 0) specs.push(one(`${e}.token_type_embeddings.weight`, 'embedding', [cfg.typeVocabSize, C]));
  specs.push(...norm(`${e}.LayerNorm`, C, b));
  for (let l = 0; l < cfg.nLayer; l++) {
    const h = `bert.encoder.layer.${l}`;
    specs.push(
      ...stacked(`${h}.attention.self`, ['query', 'key', 'value'], C, C, b),
      ...linear(`${h}.attention.output.dense`, [C, C], C, b),
      ...norm(`${h}.attention.output.LayerNorm`, C, b),
      ...linear(`${h}.intermediate.dense`, [F, C], F, b),
      ...linear(`${h}.output.dense`, [C, F], C, b),
      ...norm(`${h}.output.LayerNorm`, C, b),
    );
  }
  if (cfg.pooler) specs.push(...linear('bert.pooler.dense', [C, C], C, b));
  specs.push(
    ...linear('cls.predictions.transform.dense', [C, C], C, b),
    ...norm('cls.predictions.transform.LayerNorm', C, b),
  );
  if (b) specs.push(one('cls.predictions.bias', 'bias', [cfg.vocabSize]));
  if (!cfg.tiedEmbeddings) specs.push(one('cls.predictions.decoder.weight', 'weight', [cfg.vocabSize, C]));
  if (cfg.pooler) specs.push(...linear('cls.seq_relationship', [2, C], 2, b));
  return specs;
}

/** Encoder-decoder (Hugging Face BART names, learned positions, shared tied embeddings). */
function encoderDecoderSpecs(cfg: ModelConfig): SlabSpec[] {
  const { nEmbd: C, ffWidth: F, bias: b } = cfg;
  const specs: SlabSpec[] = [one('model.shared.weight', 'embedding', [cfg.vocabSize, C])];
  for (const side of ['encoder', 'decoder'] as const) {
    const s = `model.${side}`;
    specs.push(one(`${s}.embed_positions.weight`, 'embedding', [cfg.blockSize, C]), ...norm(`${s}.layernorm_embedding`, C, b));
    for (let l = 0; l < cfg.nLayer; l++) {
      const h = `${s}.layers.${l}`;
      specs.push(
        ...stacked(`${h}.self_attn`, ['q_proj', 'k_proj', 'v_proj'], C, C, b),
        ...linear(`${h}.self_attn.out_proj`, [C, C], C, b),
        ...norm(`${h}.self_attn_layer_norm`, C, b),
      );
      if (side === 'decoder') {
        specs.push(
          ...linear(`${h}.encoder_attn.q_proj`, [C, C], C, b),
          ...stacked(`${h}.encoder_attn`, ['k_proj', 'v_proj'], C, C, b),
          ...linear(`${h}.encoder_attn.out_proj`, [C, C], C, b),
          ...norm(`${h}.encoder_attn_layer_norm`, C, b),
        );
      }
      specs.push(...linear(`${h}.fc1`, [F, C], F, b), ...linear(`${h}.fc2`, [C, F], C, b), ...norm(`${h}.final_layer_norm`, C, b));
    }
  }
  if (!cfg.tiedEmbeddings) specs.push(one('lm_head.weight', 'weight', [cfg.vocabSize, C]));
  return specs;
}

function decays(role: ParamRole, opts: DecayOptions): boolean {
  if (role === 'weight') return true;
  if (role === 'embedding') return opts.decayEmbeddings ?? true;
  if (role === 'norm') return opts.decayNorms ?? false;
  return opts.decayBiases ?? false;
}

export function paramSpecs(cfg: ModelConfig): SlabSpec[] {
  if (cfg.kind === 'decoder') return gptSpecs(cfg);
  if (cfg.kind === 'encoder') return bertSpecs(cfg);
  return encoderDecoderSpecs(cfg);
}

/** Lays every parameter of `cfg` out in one flat buffer; decayed slabs first. */
export function buildParamLayout(cfg: ModelConfig, opts: DecayOptions = {}): ParamLayout {
  const specs = paramSpecs(cfg);
  const ordered = [...specs.filter((s) => decays(s.role, opts)), ...specs.filter((s) => !decays(s.role, opts))];
  const slabs: ParamSlab[] = [];
  const byKey = new Map<string, ParamSlab>();
  const byName = new Map<string, ParamPart>();
  let cursor = 0;
  let decayEnd = 0;
  let count = 0;
  for (const spec of ordered) {
    const offset = Math.ceil(cursor / SLAB_ALIGN_FLOATS) * SLAB_ALIGN_FLOATS;
    const parts: ParamPart[] = [];
    let within = offset;
    for (const p of spec.parts) {
      const part = { name: p.name, shape: p.shape, offset: within, numel: prod(p.shape) };
      parts.push(part);
      byName.set(p.name, part);
      within += part.numel;
    }
    const slab: ParamSlab = {
      key: spec.key,
      shape: spec.shape ?? spec.parts[0].shape,
      offset,
      numel: within - offset,
      role: spec.role,
      decay: decays(spec.role, opts),
      parts,
    };
    slabs.push(slab);
    byKey.set(slab.key, slab);
    count += slab.numel;
    cursor = within;
    if (slab.decay) decayEnd = Math.ceil(cursor / SLAB_ALIGN_FLOATS) * SLAB_ALIGN_FLOATS;
  }
  const totalFloats = Math.max(SLAB_ALIGN_FLOATS, Math.ceil(cursor / SLAB_ALIGN_FLOATS) * SLAB_ALIGN_FLOATS);
  return {
    config: cfg,
    slabs,
    totalFloats,
    count,
    decayRange: { offset: 0, length: decayEnd },
    noDecayRange: { offset: decayEnd, length: totalFloats - decayEnd },
    slab(key) {
      const s = byKey.get(key);
      if (!s) throw new Error(`ParamLayout: no slab '${key}' in this ${cfg.kind} model`);
      return s;
    },
    part(name) {
      const p = byName.get(name);
      if (!p) throw new Error(`ParamLayout: no parameter '${name}' in this ${cfg.kind} model`);
      return p;
    },
  };
}

/** Every Hugging Face tensor of the layout, in layout order (for checkpoints). */
export function allParts(layout: ParamLayout): ParamPart[] {
  return layout.slabs.flatMap((s) => s.parts);
}
