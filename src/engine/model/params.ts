// Parameter layout: every parameter as a named view into ONE flat float32 buffer (llm.c's
// fill_in_parameter_sizes). Gradients and both AdamW moments share this layout, so the optimizer
// and the grad norm walk flat ranges.
//
// A slab is what a kernel binds: it starts on a 256-byte boundary (WebGPU binding offsets). A
// slab holds one or more Hugging Face tensors packed back to back, e.g. BERT's query/key/value
// weights ([C, C] each, [out, in]) stacked into one [3C, C] matrix so one matmul computes all
// three. Slabs that decay come first, then those that do not: decay is one contiguous range.
import { decoderVocabSize, type ModelConfig, separateVocabularies } from './config';
import { defaultHeads, type HeadSpec, headSpecs } from './heads/spec';
import { type LoraSpec, loraTensors } from './lora';
import type { ParamRange } from '../optim/adamw';

/** One Hugging Face tensor: a name, a shape, where it lives in the flat buffer (in floats). */
export interface ParamPart {
  name: string;
  shape: number[];
  offset: number;
  numel: number;
}

/** 'adapter': a LoRA matrix (lora.ts); it decays like a weight and is never frozen. */
export type ParamRole = 'embedding' | 'weight' | 'bias' | 'norm' | 'adapter';

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

/** What buildParamLayout lays out besides the body: the heads, and which tensors train. */
export interface LayoutOptions extends DecayOptions {
  /** Heads over the final hidden states (default: the pretraining heads of the config's kind). */
  heads?: readonly HeadSpec[];
  /**
   * Hugging Face name prefixes of frozen tensors (e.g. 'bert.embeddings.', 'transformer.h.0.'): no
   * weight gradient is computed for them and AdamW skips them. A prefix must cover whole slabs.
   */
  frozen?: readonly string[];
  /** LoRA adapters on the body's linears (their A and B tensors are laid out after the body's). */
  lora?: LoraSpec;
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
  /** The heads these parameters serve (their tensors follow the body's). */
  heads: readonly HeadSpec[];
  /** Slabs (by key) that get no gradient and no optimizer update. */
  frozen: ReadonlySet<string>;
  /** The LoRA adapters these parameters include, if any. */
  lora?: LoraSpec;
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
  return specs;
}

/**
 * The token tables of an encoder-decoder by Hugging Face name: BART's one `model.shared` for both
 * stacks, or with separate vocabularies Marian's `model.encoder.embed_tokens` (source) and
 * `model.decoder.embed_tokens` (target; the tied LM head reads it too).
 */
export function tokenTables(cfg: ModelConfig): { encoder: string; decoder: string } {
  if (!separateVocabularies(cfg)) return { encoder: 'model.shared.weight', decoder: 'model.shared.weight' };
  return { encoder: 'model.encoder.embed_tokens.weight', decoder: 'model.decoder.embed_tokens.weight' };
}

/** Encoder-decoder (Hugging Face BART names, learned positions; shared tied embeddings, or one table per side). */
function encoderDecoderSpecs(cfg: ModelConfig): SlabSpec[] {
  const { nEmbd: C, ffWidth: F, bias: b } = cfg;
  const tables = tokenTables(cfg);
  const separate = separateVocabularies(cfg);
  const specs: SlabSpec[] = separate ? [] : [one(tables.encoder, 'embedding', [cfg.vocabSize, C])];
  for (const side of ['encoder', 'decoder'] as const) {
    const s = `model.${side}`;
    if (separate) specs.push(one(tables[side], 'embedding', [side === 'encoder' ? cfg.vocabSize : decoderVocabSize(cfg), C]));
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
  return specs;
}

function decays(role: ParamRole, opts: DecayOptions): boolean {
  if (role === 'weight' || role === 'adapter') return true;
  if (role === 'embedding') return opts.decayEmbeddings ?? true;
  if (role === 'norm') return opts.decayNorms ?? false;
  return opts.decayBiases ?? false;
}

/** The body's tensors, its LoRA adapters' if any, then each head's (Hugging Face and PEFT names). */
export function paramSpecs(cfg: ModelConfig, heads: readonly HeadSpec[] = defaultHeads(cfg), lora?: LoraSpec): SlabSpec[] {
  const body = cfg.kind === 'decoder' ? gptSpecs(cfg) : cfg.kind === 'encoder' ? bertSpecs(cfg) : encoderDecoderSpecs(cfg);
  const specs: SlabSpec[] = [...body];
  // One slab per adapter matrix: each is bound on its own (an A or B inside a stack would break the 256-byte rule).
  if (lora) for (const t of loraTensors(cfg, lora)) specs.push(one(t.name, 'adapter', t.shape));
  for (const h of heads) {
    for (const t of headSpecs(cfg, h)) {
      const role: ParamRole = t.role;
      if (specs.some((s) => s.key === t.name)) throw new Error(`ParamLayout: head '${h.kind}' adds '${t.name}' twice`);
      specs.push(one(t.name, role, t.shape));
    }
  }
  return specs;
}

/** Lays every parameter of `cfg` (body and heads) out in one flat buffer; decayed slabs first. */
export function buildParamLayout(cfg: ModelConfig, opts: LayoutOptions = {}): ParamLayout {
  const heads = opts.heads ?? defaultHeads(cfg);
  const specs = paramSpecs(cfg, heads, opts.lora);
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
  const frozen = frozenSlabs(slabs, opts.frozen ?? []);
  return {
    config: cfg,
    slabs,
    totalFloats,
    count,
    decayRange: { offset: 0, length: decayEnd },
    noDecayRange: { offset: decayEnd, length: totalFloats - decayEnd },
    heads,
    frozen,
    lora: opts.lora,
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

/**
 * The slabs whose every part matches a prefix; a prefix that splits a fused slab is refused.
 * Adapters are never frozen: they exist to train, and the prefixes that freeze a layer's base
 * tensors (e.g. 'bert.encoder.layer.0.') would otherwise cover them too.
 */
function frozenSlabs(slabs: readonly ParamSlab[], prefixes: readonly string[]): Set<string> {
  const out = new Set<string>();
  const used = new Set<string>();
  for (const s of slabs) {
    if (s.role === 'adapter') continue;
    const hit = s.parts.map((p) => prefixes.find((x) => p.name.startsWith(x)));
    hit.forEach((x) => x !== undefined && used.add(x));
    if (hit.every((x) => x !== undefined)) out.add(s.key);
    else if (hit.some((x) => x !== undefined)) {
      throw new Error(`ParamLayout: frozen prefix '${hit.find((x) => x !== undefined)}' covers only part of the fused tensor ${s.key} (${s.parts.map((p) => p.name).join(', ')}); freeze all of it or none`);
    }
  }
  const unused = prefixes.filter((x) => !used.has(x));
  if (unused.length) throw new Error(`ParamLayout: frozen prefix${unused.length > 1 ? 'es' : ''} ${unused.map((x) => `'${x}'`).join(', ')} match no parameter`);
  return out;
}

/**
 * AdamW's element ranges: the decayed and undecayed halves of the layout when nothing is frozen
 * and every slab trains at the step's lr (two dispatches), else each run of trainable slabs of
 * one decay and one lr multiple (`lrScale`, e.g. finetune/layer-decay.ts; with the padding after
 * it, which holds zeros), so frozen slabs keep their exact bits and their m and v stay zero.
 */
export function trainableRanges(layout: ParamLayout, weightDecay: number, lrScale?: (slab: ParamSlab) => number): ParamRange[] {
  if (layout.frozen.size === 0 && !lrScale) {
    return [
      { offset: layout.decayRange.offset, count: layout.decayRange.length, weightDecay, lrScale: 1 },
      { offset: layout.noDecayRange.offset, count: layout.noDecayRange.length, weightDecay: 0, lrScale: 1 },
    ];
  }
  const out: ParamRange[] = [];
  layout.slabs.forEach((s, i) => {
    if (layout.frozen.has(s.key)) return;
    const end = i + 1 < layout.slabs.length ? layout.slabs[i + 1].offset : layout.totalFloats;
    const wd = s.decay ? weightDecay : 0;
    const scale = lrScale ? lrScale(s) : 1;
    const last = out[out.length - 1];
    if (last && last.offset + last.count === s.offset && last.weightDecay === wd && last.lrScale === scale) last.count = end - last.offset;
    else out.push({ offset: s.offset, count: end - s.offset, weightDecay: wd, lrScale: scale });
  });
  return out;
}

/**
 * How a checkpoint's tensors meet the layout: `missing` layout tensors it lacks (a new head's, to
 * be initialised), `unexpected` tensors the layout has no place for (reported, never dropped
 * silently), `mismatched` shapes. Body tensors missing from a checkpoint are an error: a head or a
 * LoRA adapter can be new, a body cannot.
 */
export function matchCheckpoint(layout: ParamLayout, shapes: ReadonlyMap<string, readonly number[]>): { missing: string[]; unexpected: string[]; mismatched: string[] } {
  const parts = allParts(layout);
  const names = new Set(parts.map((p) => p.name));
  const headNames = new Set(layout.heads.flatMap((h) => headSpecs(layout.config, h).map((t) => t.name)));
  for (const s of layout.slabs) if (s.role === 'adapter') headNames.add(s.key);
  const missing = parts.filter((p) => !shapes.has(p.name)).map((p) => p.name);
  const body = missing.filter((n) => !headNames.has(n));
  if (body.length) throw new Error(`checkpoint: body tensor${body.length > 1 ? 's' : ''} ${body.slice(0, 5).join(', ')} missing (only head tensors may be absent)`);
  const unexpected = [...shapes.keys()].filter((n) => !names.has(n));
  const mismatched = parts.filter((p) => shapes.has(p.name) && shapes.get(p.name)!.join(',') !== p.shape.join(',')).map((p) => `${p.name} [${shapes.get(p.name)}] vs [${p.shape}]`);
  return { missing, unexpected, mismatched };
}

/**
 * A flat parameter buffer from checkpoint tensors; tensors it lacks (new heads) keep their values
 * from `init` (an initializer's flat buffer). Returns what was initialised and what was left over.
 */
export function loadParams(
  layout: ParamLayout,
  tensors: ReadonlyMap<string, { shape: readonly number[]; data: ArrayLike<number> }>,
  init: Float32Array,
): { flat: Float32Array; initialised: string[]; unexpected: string[] } {
  if (init.length !== layout.totalFloats) throw new Error(`loadParams: init has ${init.length} floats, the layout ${layout.totalFloats}`);
  const { missing, unexpected, mismatched } = matchCheckpoint(layout, new Map([...tensors].map(([n, t]) => [n, t.shape])));
  if (mismatched.length) throw new Error(`checkpoint: shapes differ: ${mismatched.slice(0, 5).join('; ')}`);
  const flat = Float32Array.from(init);
  for (const p of allParts(layout)) {
    const t = tensors.get(p.name);
    if (t) flat.set(t.data, p.offset);
  }
  return { flat, initialised: missing, unexpected };
}

/** Every Hugging Face tensor of the layout, in layout order (for checkpoints). */
export function allParts(layout: ParamLayout): ParamPart[] {
  return layout.slabs.flatMap((s) => s.parts);
}
