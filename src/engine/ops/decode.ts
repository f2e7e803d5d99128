// Recording the incremental-decoding kernels (src/shaders/decode_*.wgsl). Every kernel reads the
// small per-step buffer `step` = u32 [pos0, nRows, tokens[R]] that the host writes before each
// replay, so one recorded trace serves every position: rows r < nRows sit at positions pos0 + r,
// dispatches are sized for R rows and the rows past nRows return at once.
import attendWgsl from '../../shaders/decode_attend.wgsl?raw';
import attentionWgsl from '../../shaders/decode_attention.wgsl?raw';
import crossAttentionWgsl from '../../shaders/decode_cross_attention.wgsl?raw';
import embedWgsl from '../../shaders/decode_embed.wgsl?raw';
import kvAppendWgsl from '../../shaders/decode_kv_append.wgsl?raw';
import layernormWgsl from '../../shaders/decode_layernorm.wgsl?raw';
import matvecWgsl from '../../shaders/decode_matvec.wgsl?raw';
import matvecVec4Wgsl from '../../shaders/decode_matvec_vec4.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { bindingChunks, expectNumel, f32, groupsFor, kernelFor, packParams, subBinding } from './util';

/** Words before the token ids in the step buffer. */
export const STEP_HEADER = 2;

function rowsGrid(rec: Recorder, items: number, rows: number): [number, number, number] {
  const [x, y] = groupsFor(rec, items, 64);
  if (y !== 1) throw new Error(`decode: ${items} columns need more than one dispatch row of workgroups`);
  if (rows > rec.ctx.limits.maxComputeWorkgroupsPerDimension) throw new Error(`decode: ${rows} rows exceed the dispatch limit`);
  return [x, rows, 1];
}

/**
 * x[r, :] = wte[tokens[r], :] + wpe[pos0 + r, :]. x: [R, C], wte: [V, C], wpe: [maxT, C]. A wte
 * past one storage binding is read in row ranges, one dispatch each.
 */
export function decodeEmbed(rec: Recorder, x: Tensor, step: Tensor, wte: Tensor, wpe: Tensor, rows: number, C: number): void {
  const V = wte.numel / C;
  const maxT = wpe.numel / C;
  if (!Number.isInteger(V) || !Number.isInteger(maxT)) throw new Error(`decode.embed: wte [${wte.shape}] / wpe [${wpe.shape}] are not [*, ${C}]`);
  expectNumel('decode.embed', 'x', x, rows * C);
  const k = kernelFor(rec, 'decode.embed', embedWgsl, ['read', 'read', 'read', 'write']);
  const ranges = bindingChunks(rec, 'decode.embed', V, C * 4);
  for (const { start, count } of ranges) {
    const table = ranges.length === 1 ? wte : subBinding(wte, start * C * 4, count * C * 4);
    k.record(rec, [step, table, wpe, x], rowsGrid(rec, C, rows), packParams([C, count, maxT, start, start === 0 ? 1 : 0, V]));
  }
}

/**
 * out = layernorm(x) per row, gamma/beta: [C] (beta null = no bias). With `lastRowOnly`, row
 * nRows - 1 of x goes to row 0 of out (one workgroup).
 */
export function decodeLayernorm(
  rec: Recorder, out: Tensor, step: Tensor, x: Tensor, gamma: Tensor, beta: Tensor | null,
  rows: number, C: number, eps: number, lastRowOnly = false,
): void {
  expectNumel('decode.layernorm', 'gamma', gamma, C);
  if (beta) expectNumel('decode.layernorm', 'beta', beta, C);
  const k = kernelFor(rec, 'decode.layernorm', layernormWgsl, ['read', 'read', 'read', 'read', 'write']);
  const params = packParams([C, f32(eps), beta ? 1 : 0, lastRowOnly ? 1 : 0]);
  k.record(rec, [step, x, gamma, beta ?? gamma, out], [lastRowOnly ? 1 : rows, 1, 1], params);
}

export type MatvecLayout = 'kn' | 'nk';
export interface MatvecOptions {
  bias?: Tensor | null;
  activation?: 'gelu_tanh' | 'gelu' | null;
  /** y += result (a residual add) instead of y = result. */
  accumulate?: boolean;
  /** 'vec4' (split-K, 4 outputs per thread) needs N % 4 == 0 (and K % 4 == 0 for 'nk'); 'auto' picks it when it can. */
  variant?: 'auto' | 'scalar' | 'vec4';
}

/** Whether the vec4 matvec can run: shapes divisible by 4 and every operand 16-byte aligned. */
export function matvecVec4Fits(layout: MatvecLayout, K: number, N: number, tensors: readonly (Tensor | null | undefined)[]): boolean {
  return N % 4 === 0 && (layout === 'kn' || K % 4 === 0) && tensors.every((t) => !t || t.byteOffset % 16 === 0);
}

/**
 * y[r, :] (+)= act(x[r, :] W + b) for r < nRows. x: [R, K]; W: [K, N] ('kn', Conv1D) or [N, K]
 * ('nk', Linear / tied embedding); b: [N]; y: [R, N]. An 'nk' W past one storage binding (the
 * tied LM head of GPT-2's 50257 tokens) is done in ranges of its N rows for one input row.
 */
export function decodeMatvec(
  rec: Recorder, y: Tensor, step: Tensor, x: Tensor, W: Tensor, layout: MatvecLayout,
  rows: number, K: number, N: number, opts: MatvecOptions = {},
): void {
  expectNumel(`decode.matvec.${layout}`, 'W', W, K * N);
  if (opts.bias) expectNumel(`decode.matvec.${layout}`, 'bias', opts.bias, N);
  const flags =
    (opts.bias ? 1 : 0) | (opts.activation === 'gelu_tanh' ? 2 : 0) | (opts.activation === 'gelu' ? 4 : 0) | (opts.accumulate ? 8 : 0);
  const fits = matvecVec4Fits(layout, K, N, [W, opts.bias, y]);
  const variant = opts.variant ?? 'auto';
  if (variant === 'vec4' && !fits) throw new Error(`decode.matvec.${layout}.vec4: K ${K}, N ${N} or an operand offset is not a multiple of 4 floats`);
  const vec4 = variant === 'vec4' || (variant === 'auto' && fits);
  const label = `decode.matvec.${layout}${vec4 ? '.vec4' : ''}`;
  const k = kernelFor(rec, label, vec4 ? matvecVec4Wgsl : matvecWgsl, ['read', 'read', 'read', 'read', 'write'], layout === 'kn' ? 'main' : 'main_nk');
  const ranges = layout === 'nk' && rows === 1 ? bindingChunks(rec, label, N, K * 4) : [{ start: 0, count: N }];
  for (const { start, count } of ranges) {
    const part = (t: Tensor, width: number) => (ranges.length === 1 ? t : subBinding(t, start * width * 4, count * width * 4));
    k.record(rec, [step, x, part(W, K), opts.bias ? part(opts.bias, 1) : part(W, K), part(y, 1)], rowsGrid(rec, count, rows), packParams([K, count, flags]));
  }
}

/** Writes the k and v thirds of qkv [R, 3C] into kc, vc [H, maxT, D] at positions pos0 + r. */
export function decodeKvAppend(rec: Recorder, kc: Tensor, vc: Tensor, step: Tensor, qkv: Tensor, rows: number, C: number, D: number, maxT: number): void {
  expectNumel('decode.kv_append', 'kcache', kc, C * maxT);
  expectNumel('decode.kv_append', 'vcache', vc, C * maxT);
  const k = kernelFor(rec, 'decode.kv_append', kvAppendWgsl, ['read', 'read', 'write', 'write']);
  k.record(rec, [step, qkv, kc, vc], rowsGrid(rec, C, rows), packParams([C, D, maxT]));
}

/**
 * y[r, :] = causal attention of q (first third of qkv row r) over cache positions 0 ..= pos0 + r.
 * qkv: [R, 3C]; kc, vc: [H, maxT, D]; scores: scratch [R, H, maxT]; y: [R, C].
 */
export function decodeAttention(
  rec: Recorder, y: Tensor, scores: Tensor, step: Tensor, qkv: Tensor, kc: Tensor, vc: Tensor,
  rows: number, C: number, D: number, maxT: number,
): void {
  if (C % D !== 0) throw new Error(`decode.attention: C ${C} is not a multiple of head size ${D}`);
  expectNumel('decode.attention', 'scores', scores, rows * (C / D) * maxT);
  const k = kernelFor(rec, 'decode.attention', attentionWgsl + attendWgsl, ['read', 'read', 'read', 'read', 'write', 'write']);
  k.record(rec, [step, qkv, kc, vc, scores, y], [C / D, rows, 1], packParams([C, D, maxT, f32(1 / Math.sqrt(D))]));
}

/**
 * y[r, :] = attention of q row r over the encoder's keys and values, positions 0 .. Ts - 1 with
 * Ts = src[0] (written once per source, so one trace serves every source length up to maxS).
 * q: [R, C]; kv: [maxS, 2C] (k | v per position); scores: scratch [R, H, maxS]; y: [R, C].
 */
export function decodeCrossAttention(
  rec: Recorder, y: Tensor, scores: Tensor, step: Tensor, q: Tensor, kv: Tensor, src: Tensor,
  rows: number, C: number, D: number, maxS: number,
): void {
  if (C % D !== 0) throw new Error(`decode.cross_attention: C ${C} is not a multiple of head size ${D}`);
  expectNumel('decode.cross_attention', 'kv', kv, maxS * 2 * C);
  expectNumel('decode.cross_attention', 'scores', scores, rows * (C / D) * maxS);
  const k = kernelFor(rec, 'decode.cross_attention', crossAttentionWgsl + attendWgsl, ['read', 'read', 'read', 'read', 'write', 'write']);
  k.record(rec, [step, q, kv, src, scores, y], [C / D, rows, 1], packParams([C, D, maxS, f32(1 / Math.sqrt(D))]));
}
