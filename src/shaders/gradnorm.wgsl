// Global gradient L2 norm and clip factor in two passes, deterministic (fixed-order sums):
//   `partials`: workgroup g sums squares of grads[g*4096 .. (g+1)*4096) into partial[g]
//   `finish`  (1 workgroup): out[0] = sqrt(sum partial), out[1] = clip scale
//             = min(1, maxNorm / (norm + 1e-6)) when maxNorm > 0, else 1 (torch clip_grad_norm_).
// AdamW reads out[1] on the GPU, so clipping needs no readback; out[0] is the metric.
// Bindings: 0 grads [n] (read), 1 partial [groups], 2 out [2] (read_write), 3 params { n, groups, maxNorm,
//           groupBase }. A gradient buffer past one storage binding is bound in chunks of whole groups:
//           `partials` then sees n = the chunk's length and writes partial[groupBase + g].
struct Params { n: u32, groups: u32, maxNorm: f32, groupBase: u32 }
@group(0) @binding(0) var<storage, read> grads: array<f32>;
@group(0) @binding(1) var<storage, read_write> partial: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

const WG: u32 = 256u;
const PER_GROUP: u32 = 4096u;
var<workgroup> scratch: array<f32, 256>;

fn reduce(lid: u32, value: f32) -> f32 {
  scratch[lid] = value;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { scratch[lid] += scratch[lid + s]; }
    workgroupBarrier();
  }
  return scratch[0];
}

@compute @workgroup_size(256)
fn partials(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  if (g >= (p.n + PER_GROUP - 1u) / PER_GROUP) { return; }
  let begin = g * PER_GROUP;
  let end = min(begin + PER_GROUP, p.n);
  var s = 0.0;
  for (var i = begin + lid; i < end; i += WG) { let x = grads[i]; s += x * x; }
  let total = reduce(lid, s);
  if (lid == 0u) { partial[p.groupBase + g] = total; }
}

@compute @workgroup_size(256)
fn finish(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var g = lid; g < p.groups; g += WG) { s += partial[g]; }
  let norm = sqrt(reduce(lid, s));
  if (lid == 0u) {
    out[0] = norm;
    out[1] = select(1.0, min(1.0, p.maxNorm / (norm + 1e-6)), p.maxNorm > 0.0);
  }
}
