// out[i] = value, one thread per element: zeroes gradient buffers before a step (backward kernels
// accumulate). Bindings: 0 out [n] (read_write), 1 params { n, value, stride } (grid-stride loop,
// in elements of V). Needs `alias V` prepended (elementwise_lanes.wgsl).
struct Params { n: u32, value: f32, stride: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<V>;
@group(0) @binding(1) var<uniform> p: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var i = (wid.x + wid.y * nwg.x) * 256u + lid; i < p.n; i += p.stride) {
    out[i] = V(p.value);
  }
}
