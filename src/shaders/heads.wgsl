// Head split / merge: moves a column block of a "wide" [B, T, W] activation (columns
// [col, col + H*D), e.g. the q, k or v third of a fused qkv projection) to and from the per-head
// layout [B, H, T, D] that attention uses.
// Entry `to_heads`: heads[b,h,t,d] (= or +=) wide[b,t,col+h*D+d].
// Entry `to_wide`:  wide[b,t,col+h*D+d] (= or +=) heads[b,h,t,d].
// Bindings: 0 src (read), 1 dst (read_write), 2 params { B, T, W, H, D, col, accumulate, stride }
// (grid-stride loop).
struct Params { B: u32, T: u32, W: u32, H: u32, D: u32, col: u32, accumulate: u32, stride: u32 }
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

// (per-head index, wide index) of thread i, or none past the end.
fn indices(i: u32) -> vec2u {
  let d = i % p.D;
  let t = (i / p.D) % p.T;
  let bh = i / (p.D * p.T);
  let h = bh % p.H;
  let b = bh / p.H;
  return vec2u(i, (b * p.T + t) * p.W + p.col + h * p.D + d);
}

fn put(at: u32, value: f32) {
  if (p.accumulate != 0u) { dst[at] += value; } else { dst[at] = value; }
}

@compute @workgroup_size(256)
fn to_heads(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var i = (wid.x + wid.y * nwg.x) * 256u + lid; i < p.B * p.H * p.T * p.D; i += p.stride) {
    let at = indices(i);
    put(at.x, src[at.y]);
  }
}

@compute @workgroup_size(256)
fn to_wide(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var i = (wid.x + wid.y * nwg.x) * 256u + lid; i < p.B * p.H * p.T * p.D; i += p.stride) {
    let at = indices(i);
    put(at.y, src[at.x]);
  }
}
