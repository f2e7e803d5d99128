// Embeddings: token / token-type (gather by id) and learned positions (gather by t), with
// deterministic gradients. Forward overwrites `out` unless `accumulate` (so token + position +
// segment embeddings sum into one buffer in three calls); backward ACCUMULATES into the table grad.
import embeddingBackwardWgsl from '../../shaders/embedding_backward.wgsl?raw';
import embeddingForwardWgsl from '../../shaders/embedding_forward.wgsl?raw';
import positionBackwardWgsl from '../../shaders/position_embedding_backward.wgsl?raw';
import { BufferUsage } from '../gpu/flags';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { bindingChunks, elementwiseGrid, expectNumel, groupsFor, kernelFor, packParams, subBinding } from './util';

const CHUNK = 256; // positions per counting-sort chunk (matches embedding_backward.wgsl)

/**
 * out[p, :] (= or +=) table[ids[p], :]; ids >= V gather zeros. A table past one storage binding
 * (GPT-2's 50257 x 768 on a 128 MiB limit) is gathered in row ranges, one dispatch each.
 */
export function embeddingForward(
  rec: Recorder,
  out: Tensor, // [N, C]
  ids: Tensor, // [N] u32
  table: Tensor, // [V, C]
  dims: { N: number; C: number; V: number; accumulate?: boolean },
): void {
  const { N, C, V } = dims;
  expectNumel('embeddingForward', 'out', out, N * C);
  expectNumel('embeddingForward', 'ids', ids, N);
  expectNumel('embeddingForward', 'table', table, V * C);
  const k = kernelFor(rec, 'embedding.forward', embeddingForwardWgsl, ['read', 'read', 'write']);
  const { groups, stride } = elementwiseGrid(rec, N * C);
  const ranges = bindingChunks(rec, 'embedding.forward', V, C * 4);
  for (const { start, count } of ranges) {
    const rows = ranges.length === 1 ? table : subBinding(table, start * C * 4, count * C * 4);
    k.record(rec, [ids, rows, out], groups, packParams([N, C, count, 0, dims.accumulate ? 1 : 0, stride, start, start === 0 ? 1 : 0]));
  }
}

/** out[b, t, :] (= or +=) wpe[t, :] (learned positions 0..T-1). */
export function positionEmbeddingForward(
  rec: Recorder,
  out: Tensor, // [B, T, C]
  wpe: Tensor, // [maxT >= T, C]; only rows 0..T-1 are read
  dims: { B: number; T: number; C: number; accumulate?: boolean },
): void {
  const { B, T, C } = dims;
  expectNumel('positionEmbeddingForward', 'out', out, B * T * C);
  if (wpe.numel < T * C) throw new Error(`positionEmbeddingForward: wpe [${wpe.shape}] has fewer than T=${T} rows of C=${C}`);
  const k = kernelFor(rec, 'embedding.forward', embeddingForwardWgsl, ['read', 'read', 'write']);
  // The ids binding is unused when period > 0: bind the table there too (read-only aliasing is allowed).
  const { groups, stride } = elementwiseGrid(rec, B * T * C);
  k.record(rec, [wpe, wpe, out], groups, packParams([B * T, C, T, T, dims.accumulate ? 1 : 0, stride, 0, 1]));
}

/** u32 words of scratch `embeddingBackward` needs for N positions and vocabulary V. */
export function embeddingBackwardScratchWords(N: number, V: number): number {
  return N + Math.ceil(N / CHUNK) * V + 2 * V + N;
}

/**
 * dTable[v, :] += sum of dOut[p, :] over positions with ids[p] == v, summed in increasing p
 * (deterministic: a stable counting sort on the GPU, then one thread per (v, c)). Six dispatches,
 * per row range of a table past one storage binding (the ranges reuse one scratch, in order).
 * `scratch` (u32, embeddingBackwardScratchWords words) is allocated and owned by `rec` if omitted.
 */
export function embeddingBackward(
  rec: Recorder,
  dTable: Tensor, // [V, C], accumulated
  dOut: Tensor, // [N, C]
  ids: Tensor, // [N] u32
  dims: { N: number; C: number; V: number },
  scratch?: Tensor,
): void {
  const { N, C, V } = dims;
  expectNumel('embeddingBackward', 'dTable', dTable, V * C);
  expectNumel('embeddingBackward', 'dOut', dOut, N * C);
  expectNumel('embeddingBackward', 'ids', ids, N);
  const words = embeddingBackwardScratchWords(N, V);
  let work: GPUBufferBinding;
  if (scratch) {
    if (scratch.numel < words) throw new Error(`embeddingBackward: scratch has ${scratch.numel} words, needs ${words} (N=${N}, V=${V})`);
    work = scratch.binding();
  } else {
    const buffer = rec.ctx.createBuffer({ label: 'embedding.backward.scratch', size: words * 4, usage: BufferUsage.STORAGE });
    rec.own(buffer);
    work = { buffer };
  }
  const chunks = Math.ceil(N / CHUNK);
  const ranges = bindingChunks(rec, 'embedding.backward', V, C * 4);
  for (const { start, count } of ranges) {
    const rows = ranges.length === 1 ? dTable : subBinding(dTable, start * C * 4, count * C * 4);
    const params = packParams([N, C, count, chunks, start]);
    const pass = (entry: string, workgroups: [number, number?, number?]) =>
      kernelFor(rec, `embedding.backward.${entry}`, embeddingBackwardWgsl, ['read', 'read', 'write', 'write'], entry).record(
        rec, [ids, dOut, rows, work], workgroups, params,
      );
    pass('clear_counts', groupsFor(rec, chunks * count, 256));
    pass('rank', groupsFor(rec, N, 256));
    pass('chunk_scan', groupsFor(rec, count, 256));
    pass('vocab_scan', [1]);
    pass('scatter', groupsFor(rec, N, 256));
    if (count <= N) pass('bucket_sum', groupsFor(rec, count * C, 256));
    else pass('slot_sum', groupsFor(rec, N * C, 256));
  }
}

/** dWpe[t, :] += sum over b of dOut[b, t, :]. */
export function positionEmbeddingBackward(
  rec: Recorder,
  dWpe: Tensor, // [maxT >= T, C], rows 0..T-1 accumulated
  dOut: Tensor, // [B, T, C]
  dims: { B: number; T: number; C: number },
): void {
  const { B, T, C } = dims;
  expectNumel('positionEmbeddingBackward', 'dOut', dOut, B * T * C);
  if (dWpe.numel < T * C) throw new Error(`positionEmbeddingBackward: dWpe [${dWpe.shape}] has fewer than T=${T} rows`);
  const k = kernelFor(rec, 'embedding.position.backward', positionBackwardWgsl, ['read', 'write']);
  k.record(rec, [dOut, dWpe], groupsFor(rec, T * C, 256), packParams([B, T, C]));
}
