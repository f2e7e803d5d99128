// Learned position embedding gradient: dWpe[t, c] += sum over b (in order) of dOut[b, t, c].
// One thread per (t, c); deterministic. Bindings: 0 dOut [B, T, C] (read), 1 dWpe [T, C] (read_write),
// 2 params { B, T, C }.
struct Params { B: u32, T: u32, C: u32 }
@group(0) @binding(0) var<storage, read> dOut: array<f32>;
@group(0) @binding(1) var<storage, read_write> dWpe: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * 256u + lid;
  if (i >= p.T * p.C) { return; }
  var sum = 0.0;
  for (var b = 0u; b < p.B; b++) { sum += dOut[b * p.T * p.C + i]; }
  dWpe[i] += sum;
}
