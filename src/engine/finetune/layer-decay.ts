// Layer-wise learning-rate decay (ELECTRA's, Clark et al. 2020; BEiT's layer_decay): the head
// trains at the step's lr, the top layer at decay x lr, each layer below it at one more factor of
// decay and the embeddings at one more than the lowest layer, so the lower layers, whose
// pretrained features are the most general, move the least. A slab's depth comes from its
// Hugging Face tensor names: embeddings 0; layer i of BERT (bert.encoder.layer.i), GPT
// (transformer.h.i) or BART's encoder (model.encoder.layers.i) i + 1; BART's decoder layer i
// nLayer + i + 1 (it reads the encoder's top); everything else (pooler, classifier, score, ln_f,
// classification_head) is the head. LoRA adapters sit at their module's layer.
import type { ModelConfig } from '../model/config';
import type { ParamSlab } from '../model/params';

/** 'head', or 0 for the embeddings and 1.. for the layers from the bottom up. */
export function layerDepth(cfg: ModelConfig, name: string): number | 'head' {
  const layer = /^(?:bert\.encoder\.layer|transformer\.h|model\.(encoder|decoder)\.layers)\.(\d+)\./.exec(name);
  if (layer) return Number(layer[2]) + 1 + (layer[1] === 'decoder' ? cfg.nLayer : 0);
  if (/^(?:bert\.embeddings\.|transformer\.(?:wte|wpe)\.|model\.(?:shared\.|(?:encoder|decoder)\.(?:embed_tokens|embed_positions|layernorm_embedding)\.))/.test(name)) return 0;
  return 'head';
}

/** Layers between the embeddings and the head: BART stacks its decoder on its encoder. */
export const stackDepth = (cfg: ModelConfig): number => (cfg.kind === 'encoder-decoder' ? 2 * cfg.nLayer : cfg.nLayer);

/** Refuses a decay outside (0, 1] (1: off). */
export function checkLayerDecay(decay: number): void {
  if (!(decay > 0 && decay <= 1)) throw new Error(`layer-wise lr decay must be in (0, 1] (1 = off), got ${decay}`);
}

/** A tensor's multiple of the lr: 1 for the head, decay^(top - depth + 1) below it. */
export function layerDecayScale(cfg: ModelConfig, name: string, decay: number): number {
  checkLayerDecay(decay);
  const depth = layerDepth(cfg, name);
  return depth === 'head' ? 1 : decay ** (stackDepth(cfg) + 1 - depth);
}

/** TrainStepOptions.lrScale for `decay`: every tensor of a slab sits in one layer. */
export function layerDecayOf(cfg: ModelConfig, decay: number): (slab: ParamSlab) => number {
  return (slab) => {
    const scales = new Set(slab.parts.map((p) => layerDecayScale(cfg, p.name, decay)));
    if (scales.size !== 1) throw new Error(`layer-wise lr decay: slab ${slab.key} holds tensors of different layers`);
    return [...scales][0];
  };
}
