// Layernorm input gradient, one workgroup of 64 threads per row:
//   dnorm = dOut * gamma; dx += rstd * (dnorm - mean(dnorm) - xhat * mean(dnorm * xhat)).
// dx is ACCUMULATED (+=), so a residual stream's gradient can flow in from both branches.
// Bindings: 0 dOut [N, C], 1 x [N, C] (the normalized input), 2 gamma [C], 3 mean [N], 4 rstd [N] (read),
//           5 dx [N, C] (read_write), 6 params { N, C }.
// Needs elementwise_lanes.wgsl prepended: rows are walked in V = vec4f lanes when C % 4 == 0.
struct Params { N: u32, C: u32 }
@group(0) @binding(0) var<storage, read> dOut: array<V>;
@group(0) @binding(1) var<storage, read> x: array<V>;
@group(0) @binding(2) var<storage, read> gamma: array<V>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> rstd: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<V>;
@group(0) @binding(6) var<uniform> p: Params;

const WG: u32 = 64u;
var<workgroup> scratch: array<vec2f, 64>;

// Sums of dnorm and dnorm * xhat over the row's columns first, first + step, ... (the workgroup
// kernel strides by WG and reduces across threads; the per-thread kernel walks the whole row).
fn partialSums(base: u32, first: u32, step: u32, m: f32, r: f32) -> vec2f {
  var sums = vec2f(0.0);
  for (var c = first; c < p.C / lanes; c += step) {
    let dnorm = dOut[base + c] * gamma[c];
    sums += vec2f(vsum(dnorm), vsum(dnorm * (x[base + c] - m) * r));
  }
  return sums;
}

fn addDx(base: u32, first: u32, step: u32, m: f32, r: f32, means: vec2f) {
  for (var c = first; c < p.C / lanes; c += step) {
    let xhat = (x[base + c] - m) * r;
    let dnorm = dOut[base + c] * gamma[c];
    dx[base + c] += r * (dnorm - means.x - xhat * means.y);
  }
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.N) { return; }
  let base = row * (p.C / lanes);
  let m = mean[row];
  let r = rstd[row];
  scratch[lid] = partialSums(base, lid, WG, m, r);
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { scratch[lid] += scratch[lid + s]; }
    workgroupBarrier();
  }
  addDx(base, lid, WG, m, r, scratch[0] / f32(p.C));
}

// Variant for CPU adapters: one thread per row, no workgroup barriers (dispatch ceil(N / 64)).
@compute @workgroup_size(64)
fn per_thread(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (row >= p.N) { return; }
  let base = row * (p.C / lanes);
  let m = mean[row];
  let r = rstd[row];
  addDx(base, 0u, 1u, m, r, partialSums(base, 0u, 1u, m, r) / f32(p.C));
}
