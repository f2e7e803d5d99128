// Incremental decoding: a linear layer applied to the few rows fed this step (M = 1 when
// decoding, up to R when prefilling), one thread per output element.
//   main:    W is [K, N] (GPT-2 Conv1D, in × out): threads of a workgroup read adjacent columns.
//   main_nk: W is [N, K] (nn.Linear / the tied embedding for logits): each thread reads a row.
// v = x[r, :] · W[:, n] (+ b[n]); v = gelu(v) if asked; y[r, n] = v, or y[r, n] += v (residual).
// Bindings: 0 step (read, u32 [pos0, nRows, …]), 1 x [R, K], 2 W, 3 b [N] (ignored unless
// FLAG_BIAS), 4 y [R, N] (read_write), 5 params. Grid: (ceil(N / 64), rows).
struct Params { K: u32, N: u32, flags: u32, _pad: u32 }
@group(0) @binding(0) var<storage, read> step: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

const FLAG_BIAS: u32 = 1u;
const FLAG_GELU_TANH: u32 = 2u;
const FLAG_GELU_ERF: u32 = 4u;
const FLAG_ACCUMULATE: u32 = 8u;

// Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), WGSL has no erf.
fn erf(z: f32) -> f32 {
  let a = abs(z);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(z) * (1.0 - poly * exp(-a * a));
}

fn epilogue(r: u32, n: u32, dot: f32) {
  var v = dot;
  if ((p.flags & FLAG_BIAS) != 0u) { v += b[n]; }
  if ((p.flags & FLAG_GELU_TANH) != 0u) {
    // tanh written with exp of a clamped argument: large |u| must not overflow to NaN.
    let u = clamp(0.7978845608028654 * (v + 0.044715 * v * v * v), -15.0, 15.0);
    let e = exp(2.0 * u);
    v = 0.5 * v * (1.0 + (e - 1.0) / (e + 1.0));
  } else if ((p.flags & FLAG_GELU_ERF) != 0u) {
    v = 0.5 * v * (1.0 + erf(v * 0.7071067811865476));
  }
  let i = r * p.N + n;
  if ((p.flags & FLAG_ACCUMULATE) != 0u) { y[i] = y[i] + v; } else { y[i] = v; }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  let r = gid.y;
  if (n >= p.N || r >= step[1]) { return; }
  var acc = 0.0;
  let xb = r * p.K;
  for (var k = 0u; k < p.K; k++) { acc += x[xb + k] * W[k * p.N + n]; }
  epilogue(r, n, acc);
}

@compute @workgroup_size(64)
fn main_nk(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  let r = gid.y;
  if (n >= p.N || r >= step[1]) { return; }
  var acc = 0.0;
  let xb = r * p.K;
  let wb = n * p.K;
  for (var k = 0u; k < p.K; k++) { acc += x[xb + k] * W[wb + k]; }
  epilogue(r, n, acc);
}
