// Residual add, one thread per element: out[i] = a[i] + b[i].
// Bindings: 0 a [n], 1 b [n] (read), 2 out [n] (read_write), 3 params { n, stride }. Grid-stride loop: thread i handles i, i + stride, ...
struct Params { n: u32, stride: u32 }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var i = (wid.x + wid.y * nwg.x) * 256u + lid; i < p.n; i += p.stride) {
    out[i] = a[i] + b[i];
  }
}
