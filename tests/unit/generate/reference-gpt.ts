// Float64 reference of the full-sequence GPT forward (GPT-2 / nanoGPT, pre-LN, tied or untied
// head) from parameters named as Hugging Face names them, built from the engine's float64 op
// references. ids: [T] → logits [T, V]. Also: random parameters for a tiny model.
import type { ModelConfig } from '../../../src/engine/model/config';
import { buildParamLayout } from '../../../src/engine/model/params';
import { attentionForward } from '../../../src/engine/reference/attention';
import { geluForward } from '../../../src/engine/reference/gelu';
import { layernormForward } from '../../../src/engine/reference/layernorm';

export type Params = Map<string, Float32Array>;

/** y [T, N] = x [T, K] W [K, N] (+ b). */
function linearKN(x: ArrayLike<number>, W: ArrayLike<number>, b: ArrayLike<number> | undefined, T: number, K: number, N: number): Float64Array {
  const y = new Float64Array(T * N);
  for (let t = 0; t < T; t++)
    for (let n = 0; n < N; n++) {
      let s = b ? b[n] : 0;
      for (let k = 0; k < K; k++) s += x[t * K + k] * W[k * N + n];
      y[t * N + n] = s;
    }
  return y;
}

/** Exact (erf) GELU; erf from its Maclaurin series, accurate to ~1e-15 for |z| <= 5. */
function erfGelu(x: Float64Array): Float64Array {
  return x.map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2)));
}

export function erf(z: number): number {
  if (Math.abs(z) > 5) return Math.sign(z);
  let sum = 0;
  let term = z;
  for (let n = 0; n < 80; n++) {
    sum += term / (2 * n + 1);
    term *= (-z * z) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

export function referenceGptForward(cfg: ModelConfig, p: Params, ids: readonly number[]): Float64Array {
  const { nEmbd: C, nHead: H, ffWidth: F, vocabSize: V } = cfg;
  const T = ids.length;
  const D = C / H;
  const get = (name: string) => {
    const v = p.get(name);
    if (!v) throw new Error(`reference: missing ${name}`);
    return v;
  };
  const bias = (name: string) => (cfg.bias ? get(name) : undefined);
  const zeros = new Float64Array(Math.max(C, F, 3 * C));
  const wte = get('transformer.wte.weight');
  const wpe = get('transformer.wpe.weight');
  const x = new Float64Array(T * C);
  for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) x[t * C + c] = wte[ids[t] * C + c] + wpe[t * C + c];
  const ln = (name: string, inp: Float64Array) =>
    layernormForward(inp, get(`${name}.weight`), bias(`${name}.bias`) ?? zeros, T, C, cfg.layerNormEps).out;
  for (let l = 0; l < cfg.nLayer; l++) {
    const h = `transformer.h.${l}`;
    const qkv = linearKN(ln(`${h}.ln_1`, x), get(`${h}.attn.c_attn.weight`), bias(`${h}.attn.c_attn.bias`), T, C, 3 * C);
    // [T, 3C] → q, k, v as [1, H, T, D]
    const split = (which: number) => {
      const out = new Float64Array(H * T * D);
      for (let hh = 0; hh < H; hh++) for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) out[(hh * T + t) * D + d] = qkv[t * 3 * C + which * C + hh * D + d];
      return out;
    };
    const { out } = attentionForward(split(0), split(1), split(2), { B: 1, H, Tq: T, Tk: T, D, causal: true });
    const merged = new Float64Array(T * C);
    for (let hh = 0; hh < H; hh++) for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) merged[t * C + hh * D + d] = out[(hh * T + t) * D + d];
    const a = linearKN(merged, get(`${h}.attn.c_proj.weight`), bias(`${h}.attn.c_proj.bias`), T, C, C);
    for (let i = 0; i < T * C; i++) x[i] += a[i];
    const pre = linearKN(ln(`${h}.ln_2`, x), get(`${h}.mlp.c_fc.weight`), bias(`${h}.mlp.c_fc.bias`), T, C, F);
    const act = cfg.activation === 'gelu' ? erfGelu(pre) : geluForward(pre);
    const m = linearKN(act, get(`${h}.mlp.c_proj.weight`), bias(`${h}.mlp.c_proj.bias`), T, F, C);
    for (let i = 0; i < T * C; i++) x[i] += m[i];
  }
  const xf = ln('transformer.ln_f', x);
  const head = cfg.tiedEmbeddings ? wte : get('lm_head.weight'); // [V, C]
  const logits = new Float64Array(T * V);
  for (let t = 0; t < T; t++)
    for (let v = 0; v < V; v++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += xf[t * C + c] * head[v * C + c];
      logits[t * V + v] = s;
    }
  return logits;
}

/** A deterministic pseudo-random generator for test data (mulberry32). */
export function testRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random parameters for every tensor of `cfg` (norm gains near 1, everything else ~ ±scale). */
export function randomParams(cfg: ModelConfig, seed: number, scale = 0.3): Params {
  const rand = testRng(seed);
  const out: Params = new Map();
  for (const slab of buildParamLayout(cfg).slabs)
    for (const part of slab.parts) {
      const isGain = slab.role === 'norm' && part.name.endsWith('.weight');
      out.set(part.name, Float32Array.from({ length: part.numel }, () => (isGain ? 1 : 0) + (rand() * 2 - 1) * scale));
    }
  return out;
}

/** max |a - b| / max(|b|, floor): the relative error the standards ask for. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
  return worst;
}
