// A PyTorch golden (scripts/goldens/make_goldens.py) as engine-shaped data: the config, the flat
// parameter buffer in the engine's layout, inputs as u32 (ignore labels -> 0xffffffff), and a
// per-tensor comparison that prints max differences as llm.c's test_gpt2.c does. Plain JS (no
// node:fs), so a browser build of the engine loads goldens with the same code
// (tests/e2e/engine-in-chromium.spec.ts); goldens.ts reads the files under Node.
import { parseSafetensors, type SafeTensor } from '../../../src/engine/io/safetensors';
import { decoderConfig, encoderConfig, type ModelConfig } from '../../../src/engine/model/config';
import { allParts, buildParamLayout, type ParamLayout } from '../../../src/engine/model/params';

export interface GoldenOptimizer {
  steps: number;
  lr: number;
  minLr: number;
  warmupIters: number;
  lrDecayIters: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  gradClip: number;
}

export interface Golden {
  name: string;
  cfg: ModelConfig;
  layout: ParamLayout;
  batchSize: number;
  /** Decoder length of encoder-decoder goldens. */
  targetLen?: number;
  /** Layer-wise lr decay of the training steps (finetune/layer-decay.ts), when the golden has one. */
  layerDecay?: number;
  loss: number;
  optimizer: GoldenOptimizer;
  training: { losses: number[]; lrs: number[]; gradNorms: number[]; finalLoss: number };
  tensors: Map<string, SafeTensor>;
  /** Parameters in the engine's flat layout. */
  flatParams: Float32Array;
  input(name: string): Uint32Array;
  /** Names of the golden's inputs (input.<name>). */
  inputNames: string[];
}

/** A golden from its two files' contents: `<name>.json` as text and `<name>.safetensors` as bytes. */
export function parseGolden(name: string, json: string, safetensors: Uint8Array): Golden {
  const meta = JSON.parse(json);
  const file = parseSafetensors(safetensors, `${name}.safetensors`);
  const c = meta.config;
  const base = c.kind === 'encoder' ? encoderConfig : decoderConfig; // encoder-decoder: every field is given
  const cfg = base({
    kind: c.kind, vocabSize: c.vocabSize, nLayer: c.nLayer, nHead: c.nHead, nEmbd: c.nEmbd, blockSize: c.blockSize,
    ffWidth: c.ffWidth, dropout: c.dropout, bias: c.bias, tiedEmbeddings: c.tiedEmbeddings, norm: c.norm,
    activation: c.activation, layerNormEps: c.layerNormEps, typeVocabSize: c.typeVocabSize ?? 0, pooler: c.pooler ?? false,
    ...(c.targetVocabSize !== undefined ? { targetVocabSize: c.targetVocabSize } : {}),
  });
  // Heads, frozen prefixes and LoRA adapters of the newer goldens (classification, frozen layers); absent: the defaults.
  const layout = buildParamLayout(cfg, { heads: c.heads, frozen: c.frozen, lora: c.lora });
  const flatParams = new Float32Array(layout.totalFloats);
  for (const part of allParts(layout)) {
    const t = file.tensors.get(`param.${part.name}`);
    if (!t) throw new Error(`golden ${name}: no param.${part.name}`);
    flatParams.set(t.data as Float32Array, part.offset);
  }
  return {
    name,
    cfg,
    layout,
    batchSize: c.batchSize,
    targetLen: c.targetLen,
    layerDecay: c.layerDecay,
    loss: meta.loss,
    optimizer: meta.optimizer,
    training: meta.training,
    tensors: file.tensors,
    flatParams,
    inputNames: [...file.tensors.keys()].filter((k) => k.startsWith('input.')).map((k) => k.slice('input.'.length)),
    input(key) {
      const t = file.tensors.get(`input.${key}`);
      if (!t) throw new Error(`golden ${name}: no input.${key}`);
      return Uint32Array.from(t.data as Int32Array, (v) => (v < 0 ? 0xffffffff : v));
    },
  };
}

/**
 * The golden's inputs as a graph's inputs: every input.<name> as u32, the attention mask turned
 * into per-row key lengths (kvLen), as the collators do.
 */
export function batchOf(g: Golden): Record<string, Uint32Array> {
  const out: Record<string, Uint32Array> = {};
  for (const name of g.inputNames) {
    if (name !== 'attention_mask') out[name] = g.input(name);
  }
  if (g.inputNames.includes('attention_mask')) {
    const B = g.batchSize;
    const T = g.cfg.blockSize;
    const mask = g.input('attention_mask');
    out.kvLen = Uint32Array.from({ length: B }, (_, b) => mask.subarray(b * T, (b + 1) * T).reduce((s, x) => s + x, 0));
  }
  return out;
}

/**
 * max |a - b| / max |b| over a tensor: the error relative to the tensor's scale. Tensors whose true
 * value is ~0 (e.g. BERT's key bias gradient: softmax ignores a per-row constant) are measured
 * against `floor` instead, so float32 rounding noise there is not divided by ~1e-17.
 */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 1e-3): { maxDiff: number; rel: number } {
  let maxDiff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return { maxDiff, rel: maxDiff / Math.max(scale, floor) };
}
