// y[i] = x[i] * alpha. Bindings: 0 x (read), 1 y (write), 2 params { n, alpha }.
// A minimal kernel that exercises the Kernel/Recorder contract and split dispatch.
struct Params { n: u32, alpha: f32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (i >= p.n) { return; }
  y[i] = x[i] * p.alpha;
}
