// Head split / merge around attention. "Wide" activations are [B, T, W] row-major (W = 3C for a
// fused qkv projection, 2C for a fused kv); per-head tensors are [B, H, T, D] with H * D columns
// taken from column `col` of the wide tensor. Forward functions overwrite; backward ones ACCUMULATE.
import headsWgsl from '../../shaders/heads.wgsl?raw';
import type { Recorder } from '../gpu/kernel';
import type { Tensor } from '../gpu/tensor';
import { elementwiseGrid, expectNumel, kernelFor, packParams } from './util';

export interface HeadsDims {
  B: number;
  T: number;
  H: number; // heads
  D: number; // head dim
  W?: number; // width of the wide tensor, default H * D
  col?: number; // first column of the block in the wide tensor, default 0
}

function record(rec: Recorder, entry: 'to_heads' | 'to_wide', op: string, dst: Tensor, src: Tensor, wide: Tensor, heads: Tensor, d: HeadsDims, accumulate: boolean) {
  const W = d.W ?? d.H * d.D;
  const col = d.col ?? 0;
  if (col + d.H * d.D > W) throw new Error(`${op}: columns [${col}, ${col + d.H * d.D}) exceed W=${W}`);
  expectNumel(op, 'wide', wide, d.B * d.T * W);
  expectNumel(op, 'heads', heads, d.B * d.H * d.T * d.D);
  const { groups, stride } = elementwiseGrid(rec, heads.numel);
  kernelFor(rec, `heads.${entry}`, headsWgsl, ['read', 'write'], entry).record(
    rec, [src, dst], groups, packParams([d.B, d.T, W, d.H, d.D, col, accumulate ? 1 : 0, stride]),
  );
}

/** out[b,h,t,:] = x[b,t,col + h*D : col + (h+1)*D]. */
export function headsSplitForward(rec: Recorder, out: Tensor /* [B,H,T,D] */, x: Tensor /* [B,T,W] */, dims: HeadsDims): void {
  record(rec, 'to_heads', 'headsSplitForward', out, x, x, out, dims, false);
}

/** dx[b,t,col + h*D + d] += dOut[b,h,t,d] (other columns untouched). */
export function headsSplitBackward(rec: Recorder, dx: Tensor /* [B,T,W] */, dOut: Tensor /* [B,H,T,D] */, dims: HeadsDims): void {
  record(rec, 'to_wide', 'headsSplitBackward', dx, dOut, dx, dOut, dims, true);
}

/** out[b,t,h*D + d] = y[b,h,t,d] (W = H*D, col = 0 unless given). */
export function headsMergeForward(rec: Recorder, out: Tensor /* [B,T,W] */, y: Tensor /* [B,H,T,D] */, dims: HeadsDims): void {
  record(rec, 'to_wide', 'headsMergeForward', out, y, out, y, dims, false);
}

/** dy[b,h,t,d] += dOut[b,t,h*D + d]. */
export function headsMergeBackward(rec: Recorder, dy: Tensor /* [B,H,T,D] */, dOut: Tensor /* [B,T,W] */, dims: HeadsDims): void {
  record(rec, 'to_heads', 'headsMergeBackward', dy, dOut, dOut, dy, dims, true);
}
