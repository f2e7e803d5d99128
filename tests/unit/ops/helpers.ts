// Shared helpers for the op tests: random inputs, upload, run, and a normwise comparison that
// prints the error so a failing (or passing) run shows how close the GPU came to float64.
import { expect } from 'vitest';
import type { GpuContext } from '../../../src/engine/gpu/device';
import { Tensor } from '../../../src/engine/gpu/tensor';
import { relError } from '../../../src/engine/reference/fd';

export const TOL = 1e-4;

export function randn(n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - Math.random();
    out[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random());
  }
  return out;
}

export function randIds(n: number, below: number): Uint32Array {
  return Uint32Array.from({ length: n }, () => Math.floor(Math.random() * below));
}

/** Asserts normwise relative error <= tol, naming the tensor and shape on failure. */
export function expectClose(name: string, got: ArrayLike<number>, want: ArrayLike<number>, tol = TOL): number {
  const err = relError(got, want);
  expect(err, `${name}: relative error ${err.toExponential(2)} > ${tol}`).toBeLessThanOrEqual(tol);
  return err;
}

/** Tensors made through this are destroyed by `free()`. */
export class Pool {
  private readonly tensors: Tensor[] = [];
  constructor(readonly ctx: GpuContext) {}
  from(data: Float32Array | Uint32Array, shape: readonly number[]): Tensor {
    const t = Tensor.from(this.ctx, data, shape);
    this.tensors.push(t);
    return t;
  }
  empty(shape: readonly number[]): Tensor {
    const t = Tensor.empty(this.ctx, shape);
    this.tensors.push(t);
    return t;
  }
  free(): void {
    for (const t of this.tensors) t.destroy();
    this.tensors.length = 0;
  }
}
