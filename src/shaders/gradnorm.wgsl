// Global gradient L2 norm and clip factor in two passes, deterministic (fixed-order sums):
//   `partials`: thread t < stride (= 256 * ceil(n / 4096): ~16 items each) sums the squares of
//               grads[t], grads[t + stride], ... into
//               partial[partialBase + t] (no workgroup barriers: they dominate on CPU adapters)
//   `finish`  (1 workgroup): out[0] = sqrt(sum of the `partials` partial sums), out[1] = clip scale
//             = min(1, maxNorm / (norm + 1e-6)) when maxNorm > 0, else 1 (torch clip_grad_norm_).
// AdamW reads out[1] on the GPU, so clipping needs no readback; out[0] is the metric.
// A gradient buffer past one storage binding is bound in chunks, each with its own partialBase.
// Bindings: 0 grads [n] (read), 1 partial [partials], 2 out [2] (read_write),
//           3 params { n, partials, maxNorm, partialBase, stride }.
struct Params { n: u32, partials: u32, maxNorm: f32, partialBase: u32, stride: u32 }
@group(0) @binding(0) var<storage, read> grads: array<f32>;
@group(0) @binding(1) var<storage, read_write> partial: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

const WG: u32 = 256u;
var<workgroup> scratch: array<f32, 256>;

@compute @workgroup_size(256)
fn partials(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = (wid.x + wid.y * nwg.x) * WG + lid;
  if (t >= p.stride) { return; } // a dispatch split over x and y can overshoot
  var s = 0.0;
  for (var i = t; i < p.n; i += p.stride) { let x = grads[i]; s += x * x; }
  partial[p.partialBase + t] = s;
}

@compute @workgroup_size(256)
fn finish(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var g = lid; g < p.partials; g += WG) { s += partial[g]; }
  scratch[lid] = s;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) { scratch[lid] += scratch[lid + k]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let norm = sqrt(scratch[0]);
    out[0] = norm;
    out[1] = select(1.0, min(1.0, p.maxNorm / (norm + 1e-6)), p.maxNorm > 0.0);
  }
}
