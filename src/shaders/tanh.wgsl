// tanh and its gradient (BERT's pooler).
// Entry `forward`: y = tanh(x) (overwrite). Entry `backward`: dx += dy * (1 - y^2), from the output y.
// The input is clamped to [-10, 10] first: tanh is +-1 in f32 beyond ~9, and some drivers return
// NaN from tanh of very large arguments.
// Bindings: 0 a [n] (x for forward, y for backward; read), 1 dy [n] (read; forward binds a again),
//           2 out [n] (y or dx, read_write), 3 params { n, stride }. Grid-stride loop: thread i handles i, i + stride, ...
struct Params { n: u32, stride: u32 }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

fn index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 { return (wid.x + wid.y * nwg.x) * 256u + lid; }

@compute @workgroup_size(256)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var i = index(wid, nwg, lid); i < p.n; i += p.stride) { out[i] = tanh(clamp(a[i], -10.0, 10.0)); }
}

@compute @workgroup_size(256)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var i = index(wid, nwg, lid); i < p.n; i += p.stride) { let y = a[i]; out[i] += dy[i] * (1.0 - y * y); }
}
