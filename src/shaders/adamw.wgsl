// Fused AdamW over a range [offset, offset + count) of one flat parameter buffer, one thread per
// element (PyTorch's formula; see src/engine/reference/adamw.ts), with the global-norm clip factor
// read from the GPU and lr / step read from the per-replay StepState:
//   g = grad * clip;  w *= 1 - lr wd;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
//   w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
// 1 - b^t is computed as -expm1(t ln b) from ln b precomputed in float64 (plain 1 - pow(b, t) loses
// ~1e-4 of relative accuracy in f32 when b = 0.999 and t is small).
// Bindings: 0 grads (read), 1 gradNorm [2] (read: norm, clip), 2 state StepState (read),
//           3 weights, 4 m, 5 v (read_write, all flat [n]),
//           6 params { offset, count, beta1, beta2, lnBeta1, lnBeta2, eps, weightDecay, useClip,
//           oneMinusBeta1, oneMinusBeta2, stride, lrScale } (grid-stride loop; 1 - b computed in float64: f32(0.999) is 1.3e-8 off,
//           which would make 1 - b 1.3e-5 off; lrScale: this range's multiple of the step's lr, for
//           weight decay and update alike, as a PyTorch param group's lr). offset, count and stride are in elements of V.
// Needs `alias V` prepended (elementwise_lanes.wgsl): vec4f when the range allows, else f32.
struct StepState { step: u32, seed: u32, lr: f32, reserved: u32 }
struct Params {
  offset: u32, count: u32, beta1: f32, beta2: f32,
  lnBeta1: f32, lnBeta2: f32, eps: f32, weightDecay: f32,
  useClip: u32, oneMinusBeta1: f32, oneMinusBeta2: f32, stride: u32,
  lrScale: f32,
}
@group(0) @binding(0) var<storage, read> grads: array<V>;
@group(0) @binding(1) var<storage, read> gradNorm: array<f32>;
@group(0) @binding(2) var<storage, read> state: StepState;
@group(0) @binding(3) var<storage, read_write> weights: array<V>;
@group(0) @binding(4) var<storage, read_write> m: array<V>;
@group(0) @binding(5) var<storage, read_write> v: array<V>;
@group(0) @binding(6) var<uniform> p: Params;

// 1 - exp(x) for x <= 0, accurate near 0 (Taylor series where exp(x) - 1 would cancel).
fn oneMinusExp(x: f32) -> f32 {
  if (x > -0.1) {
    return -x * (1.0 + x / 2.0 * (1.0 + x / 3.0 * (1.0 + x / 4.0 * (1.0 + x / 5.0 * (1.0 + x / 6.0)))));
  }
  return 1.0 - exp(x);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = f32(state.step);
  let lr = state.lr * p.lrScale;
  let bc1 = oneMinusExp(t * p.lnBeta1);
  let bc2 = oneMinusExp(t * p.lnBeta2);
  for (var k = (wid.x + wid.y * nwg.x) * 256u + lid; k < p.count; k += p.stride) {
    let i = p.offset + k;
    var g = grads[i];
    if (p.useClip != 0u) { g *= gradNorm[1]; }
    let mi = p.beta1 * m[i] + p.oneMinusBeta1 * g;
    let vi = p.beta2 * v[i] + p.oneMinusBeta2 * g * g;
    m[i] = mi;
    v[i] = vi;
    let w = weights[i] * (1.0 - lr * p.weightDecay);
    weights[i] = w - (lr / bc1) * (mi / (sqrt(vi) / sqrt(bc2) + p.eps));
  }
}
