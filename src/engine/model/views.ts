// Parameter and gradient views for model assembly: a slab of the flat buffers as a tensor, and the
// (parameter, gradient) pairs a linear layer or a layernorm binds. Bias-free models bind a shared
// zero shift and a junk gradient in place of the layernorm bias the kernels expect.
import type { Tensor } from '../gpu/tensor';
import type { LinearParams, WeightForm } from './blocks';
import type { ParamLayout } from './params';

export interface Norm {
  g: Tensor;
  b: Tensor;
  dg: Tensor;
  db: Tensor;
}

export interface Linear {
  p: LinearParams;
  d: { dw: Tensor; db?: Tensor };
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
    /** [C] zeros and a [C] scratch, bound as the shift and its gradient when the model has no biases. */
    readonly noBias?: { zeros: Tensor; junk: Tensor },
  ) {}

  param(key: string): Tensor {
    return slabView(this.params, this.layout, key);
  }

  grad(key: string): Tensor {
    return slabView(this.grads, this.layout, key);
  }

  norm(prefix: string): Norm {
    if (this.layout.config.bias) {
      return { g: this.param(`${prefix}.weight`), b: this.param(`${prefix}.bias`), dg: this.grad(`${prefix}.weight`), db: this.grad(`${prefix}.bias`) };
    }
    if (!this.noBias) throw new Error(`ParamViews: bias-free layernorm ${prefix} needs the zeros/junk tensors`);
    return { g: this.param(`${prefix}.weight`), b: this.noBias.zeros, dg: this.grad(`${prefix}.weight`), db: this.noBias.junk };
  }

  linear(prefix: string, form: WeightForm, weightKey = `${prefix}.weight`, biasKey = `${prefix}.bias`): Linear {
    const bias = this.layout.config.bias;
    return {
      p: { w: this.param(weightKey), b: bias ? this.param(biasKey) : undefined, form },
      d: { dw: this.grad(weightKey), db: bias ? this.grad(biasKey) : undefined },
    };
  }
}
