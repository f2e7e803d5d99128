// Incremental decoding: cross-attention of each decoder row fed this step over the encoder's
// keys and values, computed once per source (not causal: every row sees all Ts positions).
// One workgroup per (head, row).
//   s_j = (q · k_j) * scale;  p = softmax(s);  y[r, h*D + d] = sum_j p_j v_j[d]     j < Ts
// Bindings: 0 step (read, u32 [pos0, nRows, …]), 1 q [R, C], 2 kv [maxS, 2C] (a row is k | v, as
// the fused k_proj_v_proj writes it), 3 src (read, u32 [Ts]), 4 scores [R, H, maxS] (scratch,
// write), 5 y [R, C] (write), 6 params. Grid: (H, R).
struct Params { C: u32, D: u32, maxS: u32, scale: f32 }
@group(0) @binding(0) var<storage, read> step: array<u32>;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> kv: array<f32>;
@group(0) @binding(3) var<storage, read> src: array<u32>;
@group(0) @binding(4) var<storage, read_write> scores: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;

// A kv row is k | v: k of position j at kv[j * 2C + h*D + d], its v C floats further.
fn qAt(r: u32, h: u32, d: u32) -> f32 { return q[r * p.C + h * p.D + d]; }
fn kAt(h: u32, j: u32, d: u32) -> f32 { return kv[j * 2u * p.C + h * p.D + d]; }
fn vAt(h: u32, j: u32, d: u32) -> f32 { return kv[j * 2u * p.C + p.C + h * p.D + d]; }

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let h = wid.x;
  let r = wid.y;
  if (r >= step[1]) { return; }
  let H = p.C / p.D;
  attend(r, h, min(src[0], p.maxS), (r * H + h) * p.maxS, lid);
}
