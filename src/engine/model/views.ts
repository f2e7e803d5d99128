// Parameter and gradient views for model assembly: a slab of the flat buffers as a tensor, and the
// (parameter, gradient) pairs a linear layer or a layernorm binds. A frozen slab has no gradient
// view (undefined), so its weight-gradient kernels are never recorded. Bias-free models bind a
// shared zero shift and a junk gradient in place of the layernorm bias the kernels expect.
import type { Tensor } from '../gpu/tensor';
import type { LinearParams, WeightForm } from './blocks';
import type { ParamLayout } from './params';

export interface Norm {
  g: Tensor;
  b: Tensor;
  /** Gradients of gain and shift; both undefined when the norm is frozen. */
  dg?: Tensor;
  db?: Tensor;
}

export interface Linear {
  p: LinearParams;
  d: { dw?: Tensor; db?: Tensor };
}

/** A parameter slab (or its gradient) as a tensor view of the flat buffer. */
export function slabView(flat: Tensor, layout: ParamLayout, key: string): Tensor {
  const s = layout.slab(key);
  return flat.view(s.shape, s.offset * 4);
}

export class ParamViews {
  constructor(
    readonly layout: ParamLayout,
    readonly params: Tensor,
    readonly grads: Tensor,
    /** [C] zeros and a [C] scratch, bound as a missing layernorm shift and its gradient. */
    readonly noBias: { zeros: Tensor; junk: Tensor },
  ) {}

  param(key: string): Tensor {
    return slabView(this.params, this.layout, key);
  }

  /** The gradient view of `key`, or undefined if it is frozen (nothing may be written for it). */
  grad(key: string): Tensor | undefined {
    return this.layout.frozen.has(key) ? undefined : slabView(this.grads, this.layout, key);
  }

  norm(prefix: string): Norm {
    const g = this.param(`${prefix}.weight`);
    const dg = this.grad(`${prefix}.weight`);
    const hasBias = this.layout.config.bias;
    const b = hasBias ? this.param(`${prefix}.bias`) : this.noBias.zeros;
    const db = hasBias ? this.grad(`${prefix}.bias`) : undefined;
    // The layernorm kernels write gain and shift gradients together: if only one of them trains,
    // the other's lands in the junk buffer.
    if (!dg && !db) return { g, b };
    return { g, b, dg: dg ?? this.noBias.junk, db: db ?? this.noBias.junk };
  }

  linear(prefix: string, form: WeightForm, weightKey = `${prefix}.weight`, biasKey = `${prefix}.bias`): Linear {
    const bias = this.layout.config.bias;
    return {
      p: { w: this.param(weightKey), b: bias ? this.param(biasKey) : undefined, form },
      d: { dw: this.grad(weightKey), db: bias ? this.grad(biasKey) : undefined },
    };
  }
}
