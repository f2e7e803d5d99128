// Incremental decoding: copies the keys and values of the rows fed this step into one layer's
// cache at their positions. qkv rows are [q | k | v], each C = H * D wide (GPT-2's c_attn order).
// kc[h, pos0 + r, d] = qkv[r, C + h * D + d]; vc likewise from the third block.
// Bindings: 0 step (read, u32 [pos0, nRows, …]), 1 qkv [R, 3C], 2 kc [H, maxT, D] (write),
// 3 vc [H, maxT, D] (write), 4 params. Grid: (ceil(C / 64), R).
struct Params { C: u32, D: u32, maxT: u32, _pad: u32 }
@group(0) @binding(0) var<storage, read> step: array<u32>;
@group(0) @binding(1) var<storage, read> qkv: array<f32>;
@group(0) @binding(2) var<storage, read_write> kc: array<f32>;
@group(0) @binding(3) var<storage, read_write> vc: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  let r = gid.y;
  if (c >= p.C || r >= step[1]) { return; }
  let pos = step[0] + r;
  if (pos >= p.maxT) { return; }
  let h = c / p.D;
  let d = c % p.D;
  let dst = (h * p.maxT + pos) * p.D + d;
  kc[dst] = qkv[r * 3u * p.C + p.C + c];
  vc[dst] = qkv[r * 3u * p.C + 2u * p.C + c];
}
