// Fused log-softmax + cross-entropy with an ignore index: the loss head and the start of backward.
// Targets >= V (use IGNORE_INDEX = 0xffffffff for unmasked MLM positions and padding) cost no loss,
// no gradient and do not count in the mean. Writes per-row losses, dlogits (OVERWRITTEN, already
// scaled by gradScale / count so the mean is what is differentiated) and stats
// [mean loss, counted rows, correct (argmax == target) rows, loss sum], all reduced in a fixed order.
// Three dispatches; stats can be read a step or two late.
import crossEntropyWgsl from '../../shaders/crossentropy.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { expectNumel, f32, groupsFor, kernelFor, ownedScratch, packParams } from './util';

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
  const buffers = [logits, targets, losses, dlogits, stats, correct];
  const storage = ['read', 'read', 'write', 'write', 'write', 'write'] as const;
  const params = packParams([N, V, f32(dims.gradScale ?? 1)]);
  kernelFor(rec, 'crossentropy.count', crossEntropyWgsl, storage, 'count').record(rec, buffers, [1], params);
  kernelFor(rec, 'crossentropy.rows', crossEntropyWgsl, storage, 'rows').record(rec, buffers, groupsFor(rec, N, 1), params);
  kernelFor(rec, 'crossentropy.reduce', crossEntropyWgsl, storage, 'reduce').record(rec, buffers, [1], params);
}
