// LoRA adapters (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models"; Hugging
// Face PEFT's LoraLayer) as the layout sees them: which linears of which layers carry one, under
// which Hugging Face module name, and what their two matrices are called and shaped:
//   y = x Wᵀ + b + (alpha / r) · (x Aᵀ) Bᵀ      A [r, in] Kaiming-uniform, B [out, r] zeros
// so an adapter starts as the identity change and only A and B (and the head) train. The names
// are PEFT's, minus its `base_model.model.` prefix: `<module>.lora_A.weight`, `<module>.lora_B.weight`.
// BERT's fused q|k|v slab gets three adapters (query, key, value), each writing its third of the
// fused output; GPT-2's c_attn is one fused module in Hugging Face too, so it gets one adapter.
// BART: q_proj, k_proj, v_proj and out_proj of every encoder and decoder self-attention and of the
// decoder's cross-attention (encoder_attn, whose fused k|v slab gets two adapters); fc1, fc2 with
// all-linear. Sites are in layout order: the encoder's layers, then the decoder's.
import type { ModelConfig } from './config';

export type LoraTargets = 'attention' | 'all-linear';

export interface LoraSpec {
  /** r: the adapter's rank (PEFT's default 8). */
  rank: number;
  /** The update is scaled by alpha / r (PEFT's lora_alpha). */
  alpha: number;
  /** Dropout on the adapter's input x before A, in training only (PEFT's lora_dropout; default 0). */
  dropout: number;
  /** attention: q, k, v and the attention output (BART: of cross-attention too); all-linear: the MLP's two linears too. */
  targets: LoraTargets;
}

export const LORA_DEFAULTS: LoraSpec = { rank: 8, alpha: 16, dropout: 0, targets: 'attention' };

/** The linears of a Transformer layer an adapter can sit on (LayerParams' fields; cross: its cross-attention's). */
export type LoraLinear = 'qkv' | 'attnOut' | 'fc' | 'fcOut' | 'crossQ' | 'crossKv' | 'crossOut';

/** One adapter: on which linear of which layer, its Hugging Face module, and its slice of the output. */
export interface LoraSite {
  /** Which stack's layer (encoder-decoders have two; BERT's and GPT's is 'body'). */
  stack: 'body' | 'encoder' | 'decoder';
  layer: number;
  linear: LoraLinear;
  /** The Hugging Face module it adapts, e.g. bert.encoder.layer.0.attention.self.query. */
  module: string;
  /** The base weight's tensor name, and the rows (out_in) or columns (in_out) of it this adapter changes. */
  weight: string;
  /** The base weight's layout: nn.Linear [out, in] (BERT) or Conv1D [in, out] (GPT-2). */
  form: 'out_in' | 'in_out';
  in: number;
  out: number;
  /** Where the adapter's output starts in the linear's output (BERT's key: C, value: 2C). */
  col: number;
}

/** The A and B tensor names of an adapter (PEFT's, without base_model.model.). */
export function loraNames(site: LoraSite): { a: string; b: string } {
  return { a: `${site.module}.lora_A.weight`, b: `${site.module}.lora_B.weight` };
}

export function loraScale(spec: LoraSpec): number {
  return spec.alpha / spec.rank;
}

/** Refuses a spec the engine cannot train, naming the option. */
export function checkLoraSpec(spec: LoraSpec, cfg: ModelConfig): void {
  if (!(Number.isInteger(spec.rank) && spec.rank >= 1)) throw new Error(`--lora-rank must be a positive integer (got ${spec.rank})`);
  const smallest = Math.min(cfg.nEmbd, cfg.ffWidth);
  if (spec.rank > smallest) throw new Error(`--lora-rank ${spec.rank} exceeds the model's smallest linear dimension (${smallest}): a low-rank adapter must be narrower`);
  if (!(Number.isFinite(spec.alpha) && spec.alpha > 0)) throw new Error(`--lora-alpha must be a positive number (got ${spec.alpha})`);
  if (!(spec.dropout >= 0 && spec.dropout < 1)) throw new Error(`--lora-dropout must be in [0, 1) (got ${spec.dropout})`);
  if (spec.targets !== 'attention' && spec.targets !== 'all-linear') throw new Error(`--lora-targets must be attention or all-linear (got '${spec.targets}')`);
}

/** Every adapter of the model, layer by layer, in a fixed order (layout order). */
export function loraSites(cfg: ModelConfig, spec: LoraSpec): LoraSite[] {
  checkLoraSpec(spec, cfg);
  const { nEmbd: C, ffWidth: F } = cfg;
  const mlp = spec.targets === 'all-linear';
  const sites: LoraSite[] = [];
  if (cfg.kind === 'encoder-decoder') return bartSites(cfg, mlp);
  for (let l = 0; l < cfg.nLayer; l++) {
    if (cfg.kind === 'encoder') {
      const h = `bert.encoder.layer.${l}`;
      const fused = `${h}.attention.self.query_key_value.weight`;
      (['query', 'key', 'value'] as const).forEach((name, i) => {
        sites.push({ stack: 'body', layer: l, linear: 'qkv', module: `${h}.attention.self.${name}`, weight: fused, form: 'out_in', in: C, out: C, col: i * C });
      });
      const lin = (linear: LoraLinear, module: string, nin: number, nout: number) =>
        sites.push({ stack: 'body', layer: l, linear, module, weight: `${module}.weight`, form: 'out_in', in: nin, out: nout, col: 0 });
      lin('attnOut', `${h}.attention.output.dense`, C, C);
      if (mlp) {
        lin('fc', `${h}.intermediate.dense`, C, F);
        lin('fcOut', `${h}.output.dense`, F, C);
      }
    } else {
      const h = `transformer.h.${l}`;
      const lin = (linear: LoraLinear, module: string, nin: number, nout: number) =>
        sites.push({ stack: 'body', layer: l, linear, module, weight: `${module}.weight`, form: 'in_out', in: nin, out: nout, col: 0 });
      lin('qkv', `${h}.attn.c_attn`, C, 3 * C);
      lin('attnOut', `${h}.attn.c_proj`, C, C);
      if (mlp) {
        lin('fc', `${h}.mlp.c_fc`, C, F);
        lin('fcOut', `${h}.mlp.c_proj`, F, C);
      }
    }
  }
  return sites;
}

/** BART's sites: per layer of the encoder, then of the decoder, self-attention q, k, v, out (cross-attention's too), fc1, fc2. */
function bartSites(cfg: ModelConfig, mlp: boolean): LoraSite[] {
  const { nEmbd: C, ffWidth: F } = cfg;
  const sites: LoraSite[] = [];
  for (const stack of ['encoder', 'decoder'] as const) {
    for (let l = 0; l < cfg.nLayer; l++) {
      const h = `model.${stack}.layers.${l}`;
      const site = (linear: LoraLinear, module: string, weight: string, nin: number, nout: number, col: number) =>
        sites.push({ stack, layer: l, linear, module, weight, form: 'out_in', in: nin, out: nout, col });
      (['q_proj', 'k_proj', 'v_proj'] as const).forEach((name, i) => site('qkv', `${h}.self_attn.${name}`, `${h}.self_attn.q_proj_k_proj_v_proj.weight`, C, C, i * C));
      site('attnOut', `${h}.self_attn.out_proj`, `${h}.self_attn.out_proj.weight`, C, C, 0);
      if (stack === 'decoder') {
        site('crossQ', `${h}.encoder_attn.q_proj`, `${h}.encoder_attn.q_proj.weight`, C, C, 0);
        (['k_proj', 'v_proj'] as const).forEach((name, i) => site('crossKv', `${h}.encoder_attn.${name}`, `${h}.encoder_attn.k_proj_v_proj.weight`, C, C, i * C));
        site('crossOut', `${h}.encoder_attn.out_proj`, `${h}.encoder_attn.out_proj.weight`, C, C, 0);
      }
      if (mlp) {
        site('fc', `${h}.fc1`, `${h}.fc1.weight`, C, F, 0);
        site('fcOut', `${h}.fc2`, `${h}.fc2.weight`, F, C, 0);
      }
    }
  }
  return sites;
}

/** The adapter tensors to lay out: A [r, in] and B [out, r] per site. */
export function loraTensors(cfg: ModelConfig, spec: LoraSpec): { name: string; shape: number[] }[] {
  return loraSites(cfg, spec).flatMap((s) => {
    const n = loraNames(s);
    return [
      { name: n.a, shape: [spec.rank, s.in] },
      { name: n.b, shape: [s.out, spec.rank] },
    ];
  });
}

/** Whether a tensor name is an adapter's (A or B). */
export function isLoraTensor(name: string): boolean {
  return /\.lora_[AB]\.weight$/.test(name);
}
