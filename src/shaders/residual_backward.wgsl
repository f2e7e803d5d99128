// Residual add gradient, one thread per element: da[i] += dOut[i]; db[i] += dOut[i] (both ACCUMULATED).
// Bindings: 0 dOut [n] (read), 1 da [n], 2 db [n] (read_write), 3 params { n, stride }. Grid-stride loop: thread i handles i, i + stride, ...
struct Params { n: u32, stride: u32 }
@group(0) @binding(0) var<storage, read> dOut: array<f32>;
@group(0) @binding(1) var<storage, read_write> da: array<f32>;
@group(0) @binding(2) var<storage, read_write> db: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var i = (wid.x + wid.y * nwg.x) * 256u + lid; i < p.n; i += p.stride) {
    let d = dOut[i];
    da[i] += d;
    db[i] += d;
  }
}
