// GELU, tanh approximation (GPT-2): y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
// Entry `forward`: y = gelu(x) (overwrite).
// Entry `backward`: dx += dy * gelu'(x) (ACCUMULATED).
// Bindings: 0 x [n] (read), 1 dy [n] (read; forward binds x again), 2 out [n] (y or dx, read_write),
//           3 params { n, stride } (in elements of V). Grid-stride loop: thread i handles i, i + stride, ...
// Needs `alias V` prepended (elementwise_lanes.wgsl): vec4f when n % 4 == 0, else f32.
struct Params { n: u32, stride: u32 }
@group(0) @binding(0) var<storage, read> x: array<V>;
@group(0) @binding(1) var<storage, read> dy: array<V>;
@group(0) @binding(2) var<storage, read_write> out: array<V>;
@group(0) @binding(3) var<uniform> p: Params;

const K: f32 = 0.7978845608028654; // sqrt(2 / pi)

// tanh(u) = 1 - 2 / (exp(2u) + 1), clamped so exp cannot overflow (tanh is +-1 to f32 precision past 10).
fn tanhSafe(u: V) -> V {
  let v = clamp(u, V(-10.0), V(10.0));
  return 1.0 - 2.0 / (exp(2.0 * v) + 1.0);
}

fn index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 { return (wid.x + wid.y * nwg.x) * 256u + lid; }

@compute @workgroup_size(256)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var i = index(wid, nwg, lid); i < p.n; i += p.stride) {
    let v = x[i];
    out[i] = 0.5 * v * (1.0 + tanhSafe(K * (v + 0.044715 * v * v * v)));
  }
}

@compute @workgroup_size(256)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var i = index(wid, nwg, lid); i < p.n; i += p.stride) {
    let v = x[i];
    let t = tanhSafe(K * (v + 0.044715 * v * v * v));
    let du = K * (1.0 + 3.0 * 0.044715 * v * v);
    out[i] += dy[i] * (0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * du);
  }
}
