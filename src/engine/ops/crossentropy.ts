// Fused log-softmax + cross-entropy with an ignore index: the loss head and the start of backward.
// Targets >= V (use IGNORE_INDEX = 0xffffffff for unmasked MLM positions and padding) cost no loss,
// no gradient and do not count in the mean. Writes per-row losses, dlogits (OVERWRITTEN, already
// scaled by gradScale / count so the mean is what is differentiated) and stats
// [mean loss, counted rows, correct (argmax == target) rows, loss sum], all reduced in a fixed order.
// Three dispatches (more rows dispatches past one storage binding); stats can be read a step or two late.
import crossEntropyWgsl from '../../shaders/crossentropy.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { bindingChunks, type Chunk, expectNumel, f32, groupsFor, kernelFor, ownedScratch, packParams, rowStrategy, subBinding } from './util';

export const IGNORE_INDEX = 0xffffffff;

export function crossEntropyForwardBackward(
  rec: Recorder,
  losses: Tensor, // [N] per-row loss (0 for ignored rows)
  dlogits: Tensor, // [N, V] overwritten; must not overlap logits
  stats: Tensor, // [4] f32: mean loss, count, correct, loss sum
  logits: Tensor, // [N, V]
  targets: Tensor, // [N] u32
  dims: { N: number; V: number; gradScale?: number }, // gradScale: e.g. 1 / microSteps (default 1)
  scratch?: Tensor, // [N] f32 per-row correctness; owned by rec if omitted
): void {
  const { N, V } = dims;
  expectNumel('crossEntropy', 'losses', losses, N);
  expectNumel('crossEntropy', 'dlogits', dlogits, N * V);
  expectNumel('crossEntropy', 'stats', stats, 4);
  expectNumel('crossEntropy', 'logits', logits, N * V);
  expectNumel('crossEntropy', 'targets', targets, N);
  if (V >= 1 << 24) throw new Error(`crossEntropy: V=${V} exceeds the 2^24 vocabulary the argmax can index exactly`);
  if (scratch) expectNumel('crossEntropy', 'scratch', scratch, N);
  const correct = scratch ?? ownedScratch(rec, 'crossentropy.correct', N);
  const storage = ['read', 'read', 'write', 'write', 'write', 'write'] as const;
  const gradScale = f32(dims.gradScale ?? 1);
  // [N, V] logits can outgrow one storage binding (8k rows x 30k vocab is ~1 GB): rows go in chunks.
  const chunks = bindingChunks(rec, 'crossEntropy', N, V * 4);
  const rows = (b: Tensor | GPUBufferBinding, rowBytes: number, c: Chunk) => subBinding(b, c.start * rowBytes, c.count * rowBytes);
  // count and reduce never touch logits/dlogits: they bind the first chunk's rows there.
  const whole = [rows(logits, V * 4, chunks[0]), targets, losses, rows(dlogits, V * 4, chunks[0]), stats, correct];
  kernelFor(rec, 'crossentropy.count', crossEntropyWgsl, storage, 'count').record(rec, whole, [1], packParams([N, V, gradScale]));
  const perThread = rowStrategy(rec) === 'thread';
  const rowEntry = perThread ? 'rows_per_thread' : 'rows';
  const rowKernel = kernelFor(rec, `crossentropy.${rowEntry}`, crossEntropyWgsl, storage, rowEntry);
  for (const c of chunks) {
    const buffers = [rows(logits, V * 4, c), rows(targets, 4, c), rows(losses, 4, c), rows(dlogits, V * 4, c), stats, rows(correct, 4, c)];
    rowKernel.record(rec, buffers, groupsFor(rec, c.count, perThread ? 64 : 1), packParams([c.count, V, gradScale]));
  }
  kernelFor(rec, 'crossentropy.reduce', crossEntropyWgsl, storage, 'reduce').record(rec, whole, [1], packParams([N, V, gradScale]));
}
