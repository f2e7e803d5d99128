// Incremental decoding: causal attention of each row fed this step over the cached keys and
// values, one workgroup per (head, row). Row r sits at position pos0 + r and sees cache
// positions 0 ..= pos0 + r (the cache already holds this step's keys: kv_append runs first).
//   s_j = (q · k_j) * scale;  p = softmax(s);  y[r, h*D + d] = sum_j p_j v_j[d]  (decode_attend.wgsl)
// Bindings: 0 step (read, u32 [pos0, nRows, …]), 1 qkv [R, 3C] (q is the first C of a row),
// 2 kc [H, maxT, D], 3 vc [H, maxT, D], 4 scores [R, H, maxT] (scratch, write), 5 y [R, C] (write),
// 6 params. Grid: (H, R).
struct Params { C: u32, D: u32, maxT: u32, scale: f32 }
@group(0) @binding(0) var<storage, read> step: array<u32>;
@group(0) @binding(1) var<storage, read> qkv: array<f32>;
@group(0) @binding(2) var<storage, read> kc: array<f32>;
@group(0) @binding(3) var<storage, read> vc: array<f32>;
@group(0) @binding(4) var<storage, read_write> scores: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;

fn qAt(r: u32, h: u32, d: u32) -> f32 { return qkv[r * 3u * p.C + h * p.D + d]; }
fn kAt(h: u32, j: u32, d: u32) -> f32 { return kc[(h * p.maxT + j) * p.D + d]; }
fn vAt(h: u32, j: u32, d: u32) -> f32 { return vc[(h * p.maxT + j) * p.D + d]; }

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let h = wid.x;
  let r = wid.y;
  if (r >= step[1]) { return; }
  let H = p.C / p.D;
  attend(r, h, min(step[0] + r + 1u, p.maxT), (r * H + h) * p.maxT, lid);
}
