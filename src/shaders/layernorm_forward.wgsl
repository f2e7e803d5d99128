// Layernorm over the last dimension, one workgroup of 64 threads per row, optionally fused with the
// residual add that precedes it: x = a + b (written to resOut), out = (x - mean) * rstd * gamma + beta.
// Saves mean and rstd for the backward pass. Two-pass variance (mean first) for accuracy.
// Bindings: 0 a [N, C] (read), 1 b [N, C] (read; ignored unless residual), 2 gamma [C], 3 beta [C] (read),
//           4 out [N, C], 5 mean [N], 6 rstd [N], 7 resOut [N, C] (read_write; written only if residual),
//           8 params { N, C, eps, residual }.
// Needs elementwise_lanes.wgsl prepended: rows are walked in V = vec4f lanes when C % 4 == 0.
struct Params { N: u32, C: u32, eps: f32, residual: u32 }
@group(0) @binding(0) var<storage, read> a: array<V>;
@group(0) @binding(1) var<storage, read> b: array<V>;
@group(0) @binding(2) var<storage, read> gamma: array<V>;
@group(0) @binding(3) var<storage, read> beta: array<V>;
@group(0) @binding(4) var<storage, read_write> out: array<V>;
@group(0) @binding(5) var<storage, read_write> mean: array<f32>;
@group(0) @binding(6) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(7) var<storage, read_write> resOut: array<V>;
@group(0) @binding(8) var<uniform> p: Params;

const WG: u32 = 64u;
var<workgroup> scratch: array<f32, 64>;

fn reduceSum(lid: u32, value: f32) -> f32 {
  scratch[lid] = value;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { scratch[lid] += scratch[lid + s]; }
    workgroupBarrier();
  }
  let total = scratch[0];
  workgroupBarrier();
  return total;
}

fn load(i: u32) -> V {
  if (p.residual != 0u) { return a[i] + b[i]; }
  return a[i];
}

// The row's columns first, first + step, ...: the workgroup kernel gives each thread a stride of
// WG and reduces across threads; the per-thread kernel walks the whole row (first 0, step 1).
fn partialSum(base: u32, first: u32, step: u32) -> f32 {
  var sum = V(0.0);
  for (var c = first; c < p.C / lanes; c += step) {
    let x = load(base + c);
    sum += x;
    if (p.residual != 0u) { resOut[base + c] = x; }
  }
  return vsum(sum);
}

fn partialSquares(base: u32, first: u32, step: u32, m: f32) -> f32 {
  var sq = V(0.0);
  for (var c = first; c < p.C / lanes; c += step) { let d = load(base + c) - m; sq += d * d; }
  return vsum(sq);
}

fn normalize(base: u32, first: u32, step: u32, m: f32, r: f32) {
  for (var c = first; c < p.C / lanes; c += step) { out[base + c] = (load(base + c) - m) * r * gamma[c] + beta[c]; }
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.N) { return; }
  let base = row * (p.C / lanes);
  let m = reduceSum(lid, partialSum(base, lid, WG)) / f32(p.C);
  let r = inverseSqrt(reduceSum(lid, partialSquares(base, lid, WG, m)) / f32(p.C) + p.eps);
  normalize(base, lid, WG, m, r);
  if (lid == 0u) { mean[row] = m; rstd[row] = r; }
}

// Variant for CPU adapters: one thread per row, no workgroup barriers (dispatch ceil(N / 64)).
@compute @workgroup_size(64)
fn per_thread(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (row >= p.N) { return; }
  let base = row * (p.C / lanes);
  let m = partialSum(base, 0u, 1u) / f32(p.C);
  let r = inverseSqrt(partialSquares(base, 0u, 1u, m) / f32(p.C) + p.eps);
  normalize(base, 0u, 1u, m, r);
  mean[row] = m;
  rstd[row] = r;
}
