// Layernorm over the last dimension (biased variance, eps inside the sqrt, as PyTorch), optionally
// fused with the residual add before it. Forward saves mean and rstd; backward ACCUMULATES into
// dx, dgamma and dbeta (so gradient accumulation over micro-batches and residual streams just add).
import forwardWgsl from '../../shaders/layernorm_forward.wgsl?raw';
import backwardWgsl from '../../shaders/layernorm_backward.wgsl?raw';
import paramGradWgsl from '../../shaders/layernorm_param_grad.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { elementwiseLanes, expectNumel, f32, groupsFor, kernelFor, ownedScratch, packParams, rowStrategy, unusedWritable } from './util';

export interface LayernormDims {
  N: number; // rows (B * T)
  C: number; // channels
  eps?: number; // default 1e-5
}

const ROWS_PER_CHUNK = 64; // matches layernorm_param_grad.wgsl

function check(op: string, d: LayernormDims, t: Record<string, [Tensor, number]>) {
  for (const [name, [tensor, n]] of Object.entries(t)) expectNumel(op, name, tensor, n);
  void d;
}

/** out = (x - mean) * rstd * gamma + beta; saves mean, rstd. */
export function layernormForward(
  rec: Recorder,
  out: Tensor, // [N, C]
  mean: Tensor, // [N] saved for backward
  rstd: Tensor, // [N] saved for backward
  x: Tensor, // [N, C]
  gamma: Tensor, // [C]
  beta: Tensor, // [C]
  dims: LayernormDims,
): void {
  const { N, C } = dims;
  check('layernormForward', dims, { out: [out, N * C], mean: [mean, N], rstd: [rstd, N], x: [x, N * C], gamma: [gamma, C], beta: [beta, C] });
  record(rec, [x, x, gamma, beta, out, mean, rstd, unusedWritable(rec)], dims, 0);
}

/** resOut = a + b; out = layernorm(resOut). Backward: layernormBackward(x = resOut), then residualBackward. */
export function residualLayernormForward(
  rec: Recorder,
  resOut: Tensor, // [N, C] the new residual stream a + b
  out: Tensor, // [N, C]
  mean: Tensor, // [N]
  rstd: Tensor, // [N]
  a: Tensor, // [N, C]
  b: Tensor, // [N, C]
  gamma: Tensor, // [C]
  beta: Tensor, // [C]
  dims: LayernormDims,
): void {
  const { N, C } = dims;
  check('residualLayernormForward', dims, {
    resOut: [resOut, N * C], out: [out, N * C], mean: [mean, N], rstd: [rstd, N], a: [a, N * C], b: [b, N * C], gamma: [gamma, C], beta: [beta, C],
  });
  record(rec, [a, b, gamma, beta, out, mean, rstd, resOut], dims, 1);
}

function record(rec: Recorder, buffers: Parameters<ReturnType<typeof kernelFor>['record']>[1], dims: LayernormDims, residual: number) {
  const perThread = rowStrategy(rec) === 'thread';
  const entry = perThread ? 'per_thread' : 'main';
  const { lanes, header } = elementwiseLanes(dims.C);
  const k = kernelFor(rec, `layernorm.forward.${entry}.x${lanes}`, header + forwardWgsl, ['read', 'read', 'read', 'read', 'write', 'write', 'write', 'write'], entry);
  k.record(rec, buffers, groupsFor(rec, dims.N, perThread ? 64 : 1), packParams([dims.N, dims.C, f32(dims.eps ?? 1e-5), residual]));
}

/** Words of scratch layernormBackward needs (partial sums for dgamma/dbeta). */
export function layernormBackwardScratchWords(N: number, C: number): number {
  return Math.ceil(N / ROWS_PER_CHUNK) * 2 * C;
}

/**
 * dx += ..., dgamma += sum dOut * xhat, dbeta += sum dOut (all accumulated; deterministic). Three
 * dispatches; one when dgamma and dbeta are both omitted (a frozen norm: no parameter gradient).
 */
export function layernormBackward(
  rec: Recorder,
  dx: Tensor, // [N, C] accumulated
  dgamma: Tensor | undefined, // [C] accumulated
  dbeta: Tensor | undefined, // [C] accumulated
  dOut: Tensor, // [N, C]
  x: Tensor, // [N, C] the forward input (resOut when fused)
  gamma: Tensor, // [C]
  mean: Tensor, // [N] from forward
  rstd: Tensor, // [N] from forward
  dims: LayernormDims,
  scratch?: Tensor, // layernormBackwardScratchWords(N, C) f32; owned by rec if omitted
): void {
  const { N, C } = dims;
  if (!dgamma !== !dbeta) throw new Error('layernormBackward: dgamma and dbeta are written together: give both or neither');
  check('layernormBackward', dims, {
    dx: [dx, N * C], ...(dgamma && dbeta ? { dgamma: [dgamma, C], dbeta: [dbeta, C] } : {}), dOut: [dOut, N * C], x: [x, N * C], gamma: [gamma, C], mean: [mean, N], rstd: [rstd, N],
  });
  const chunks = Math.ceil(N / ROWS_PER_CHUNK);
  if (chunks > rec.ctx.limits.maxComputeWorkgroupsPerDimension) {
    throw new Error(`layernormBackward: N=${N} rows need ${chunks} chunks, over maxComputeWorkgroupsPerDimension`);
  }
  const words = layernormBackwardScratchWords(N, C);
  if (scratch && scratch.numel < words) throw new Error(`layernormBackward: scratch has ${scratch.numel} words, needs ${words}`);
  const partial = scratch ?? ownedScratch(rec, 'layernorm.backward.partial', words);
  const perThread = rowStrategy(rec) === 'thread';
  const entry = perThread ? 'per_thread' : 'main';
  const { lanes, header } = elementwiseLanes(C);
  kernelFor(rec, `layernorm.backward.${entry}.x${lanes}`, header + backwardWgsl, ['read', 'read', 'read', 'read', 'read', 'write'], entry).record(
    rec, [dOut, x, gamma, mean, rstd, dx], groupsFor(rec, N, perThread ? 64 : 1), packParams([N, C]),
  );
  if (!dgamma || !dbeta) return;
  const params = packParams([N, C, chunks]);
  const storage = ['read', 'read', 'read', 'read', 'write', 'write', 'write'] as const;
  const buffers = [dOut, x, mean, rstd, partial, dgamma, dbeta];
  const blocks = Math.ceil(C / lanes / 64);
  kernelFor(rec, `layernorm.backward.partials.x${lanes}`, header + paramGradWgsl, storage, 'partials').record(rec, buffers, [blocks, chunks], params);
  kernelFor(rec, `layernorm.backward.finish.x${lanes}`, header + paramGradWgsl, storage, 'finish').record(rec, buffers, [blocks], params);
}
