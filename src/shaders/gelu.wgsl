// GELU in its two forms: y = x * Phi(x) (Phi the standard normal CDF).
//   forward / backward          tanh approximation (GPT-2's gelu_new):
//                               Phi(x) ~ 0.5 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
//   forward_erf / backward_erf  exact (BERT, BART): Phi(x) = 0.5 erfc(-x / sqrt(2))
// Forward: y = gelu(x) (overwrite). Backward: dx += dy * gelu'(x) (ACCUMULATED).
// Bindings: 0 x [n] (read), 1 dy [n] (read; forward binds x again), 2 out [n] (y or dx, read_write),
//           3 params { n, stride } (in elements of V). Grid-stride loop: thread i handles i, i + stride, ...
// Needs `alias V` prepended (elementwise_lanes.wgsl): vec4f when n % 4 == 0, else f32.
struct Params { n: u32, stride: u32 }
@group(0) @binding(0) var<storage, read> x: array<V>;
@group(0) @binding(1) var<storage, read> dy: array<V>;
@group(0) @binding(2) var<storage, read_write> out: array<V>;
@group(0) @binding(3) var<uniform> p: Params;

const K: f32 = 0.7978845608028654; // sqrt(2 / pi)
const INV_SQRT2: f32 = 0.7071067811865476;
const INV_SQRT_2PI: f32 = 0.3989422804014327;

// tanh(u) = 1 - 2 / (exp(2u) + 1), clamped so exp cannot overflow (tanh is +-1 to f32 precision past 10).
fn tanhSafe(u: V) -> V {
  let v = clamp(u, V(-10.0), V(10.0));
  return 1.0 - 2.0 / (exp(2.0 * v) + 1.0);
}

// erfc with fractional error < 1.2e-7 everywhere (Numerical Recipes' erfcc, a Chebyshev fit): WGSL
// has no erf, and a relative (not absolute) bound keeps GELU's far negative tail exact too, where
// 1 + erf(x) would cancel. exp underflows to 0 past |x| ~ 9 instead of overflowing.
fn erfc(x: V) -> V {
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.5 * z);
  let poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let r = t * exp(-z * z + poly);
  return select(2.0 - r, r, x >= V(0.0));
}

fn index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 { return (wid.x + wid.y * nwg.x) * 256u + lid; }

@compute @workgroup_size(256)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var i = index(wid, nwg, lid); i < p.n; i += p.stride) {
    let v = x[i];
    out[i] = 0.5 * v * (1.0 + tanhSafe(K * (v + 0.044715 * v * v * v)));
  }
}

@compute @workgroup_size(256)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var i = index(wid, nwg, lid); i < p.n; i += p.stride) {
    let v = x[i];
    let t = tanhSafe(K * (v + 0.044715 * v * v * v));
    let du = K * (1.0 + 3.0 * 0.044715 * v * v);
    out[i] += dy[i] * (0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * du);
  }
}

@compute @workgroup_size(256)
fn forward_erf(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var i = index(wid, nwg, lid); i < p.n; i += p.stride) {
    let v = x[i];
    out[i] = 0.5 * v * erfc(-v * INV_SQRT2);
  }
}

// gelu'(x) = Phi(x) + x phi(x), phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
@compute @workgroup_size(256)
fn backward_erf(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var i = index(wid, nwg, lid); i < p.n; i += p.stride) {
    let v = x[i];
    let pdf = INV_SQRT_2PI * exp(-0.5 * v * v);
    out[i] += dy[i] * (0.5 * erfc(-v * INV_SQRT2) + v * pdf);
  }
}
