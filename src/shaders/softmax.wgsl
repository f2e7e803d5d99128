// Row-wise softmax over the last dimension, numerically stable (max subtracted), one workgroup of
// 64 threads per row. Entry `forward`: y = softmax(x) (overwrite).
// Entry `backward`: dx += y * (dy - sum(y * dy)) (ACCUMULATED).
// Bindings: 0 a [N, V] (x for forward, y for backward), 1 dy [N, V] (read; forward binds x again),
//           2 out [N, V] (y or dx, read_write), 3 params { N, V }.
struct Params { N: u32, V: u32 }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

const WG: u32 = 64u;
var<workgroup> scratch: array<f32, 64>;

fn reduce(lid: u32, value: f32, isMax: bool) -> f32 {
  scratch[lid] = value;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      if (isMax) { scratch[lid] = max(scratch[lid], scratch[lid + s]); } else { scratch[lid] += scratch[lid + s]; }
    }
    workgroupBarrier();
  }
  let r = scratch[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(64)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.N) { return; }
  let base = row * p.V;
  var m = -3.4e38;
  for (var j = lid; j < p.V; j += WG) { m = max(m, a[base + j]); }
  m = reduce(lid, m, true);
  var sum = 0.0;
  for (var j = lid; j < p.V; j += WG) { sum += exp(a[base + j] - m); }
  let inv = 1.0 / reduce(lid, sum, false);
  for (var j = lid; j < p.V; j += WG) { out[base + j] = exp(a[base + j] - m) * inv; }
}

@compute @workgroup_size(64)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.N) { return; }
  let base = row * p.V;
  var s = 0.0;
  for (var j = lid; j < p.V; j += WG) { s += a[base + j] * dy[base + j]; }
  s = reduce(lid, s, false);
  for (var j = lid; j < p.V; j += WG) { out[base + j] += a[base + j] * (dy[base + j] - s); }
}

// Variants for CPU adapters: one thread per row, no workgroup barriers (dispatch ceil(N / 64)).
@compute @workgroup_size(64)
fn forward_per_thread(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (row >= p.N) { return; }
  let base = row * p.V;
  var m = -3.4e38;
  for (var j = 0u; j < p.V; j++) { m = max(m, a[base + j]); }
  var sum = 0.0;
  for (var j = 0u; j < p.V; j++) { sum += exp(a[base + j] - m); }
  let inv = 1.0 / sum;
  for (var j = 0u; j < p.V; j++) { out[base + j] = exp(a[base + j] - m) * inv; }
}

@compute @workgroup_size(64)
fn backward_per_thread(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (row >= p.N) { return; }
  let base = row * p.V;
  var s = 0.0;
  for (var j = 0u; j < p.V; j++) { s += a[base + j] * dy[base + j]; }
  for (var j = 0u; j < p.V; j++) { out[base + j] += a[base + j] * (dy[base + j] - s); }
}
