// Masked mean over each row's real positions (ModernBERT's classifier_pooling "mean"): padding
// sits at the tail of every row, so row b's real tokens are t < len[b].
// Entry `forward`:  out[b, c] = (1 / len_b) * sum_{t < len_b} h[b*T + t, c]   (overwrite; t ascending,
//                   so every replay sums in the same order)
// Entry `backward`: dh[b*T + t, c] += t < len_b ? dpooled[b, c] / len_b : 0
// len_b is clamped to 1..T: a length of 0 (never produced by the encoders) reads position 0 alone
// rather than dividing by zero.
// Bindings: 0 lens [B] u32 (read), 1 src [N, C] or [B, C] (read), 2 out [B, C] or [N, C] (read_write),
//           3 params { B, T, C, stride }. Grid-stride loop over the output's elements.
struct Params { B: u32, T: u32, C: u32, stride: u32 }
@group(0) @binding(0) var<storage, read> lens: array<u32>;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

fn index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 { return (wid.x + wid.y * nwg.x) * 256u + lid; }
fn rowLength(b: u32) -> u32 { return clamp(lens[b], 1u, p.T); }

@compute @workgroup_size(256)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var i = index(wid, nwg, lid); i < p.B * p.C; i += p.stride) {
    let b = i / p.C;
    let c = i - b * p.C;
    let n = rowLength(b);
    var acc = 0.0;
    for (var t = 0u; t < n; t++) { acc += src[(b * p.T + t) * p.C + c]; }
    out[i] = acc / f32(n);
  }
}

@compute @workgroup_size(256)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var i = index(wid, nwg, lid); i < p.B * p.T * p.C; i += p.stride) {
    let pos = i / p.C;
    let c = i - pos * p.C;
    let b = pos / p.T;
    let n = rowLength(b);
    if (pos - b * p.T < n) { out[i] += src[b * p.C + c] / f32(n); }
  }
}
